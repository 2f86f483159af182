#!/bin/bash
# The Debian packages build, are lintian clean and are reproducible.
#
#   tests/package/debs.sh OUTDIR
#
# 1. dpkg-buildpackage -us -uc -b (tests/package/build.sh: in a copy of
#    the sources, with the offline tests) into OUTDIR/a;
# 2. lintian on the result: no error and no warning (the overrides in
#    debian/*.lintian-overrides say why each is there);
# 3. a second build into OUTDIR/b from another directory, with another
#    time zone, locale and umask (and nocheck: the tests change nothing
#    that is shipped); every .deb must be byte-identical to the first.
# Prints TAP.  The installed-package test then uses OUTDIR/a.
set -u
top=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$top/tests/lib/tap.sh"
[ $# -eq 1 ] || { echo "usage: $0 OUTDIR" >&2; exit 2; }
out=$1
for t in dpkg-buildpackage dh lintian; do
	command -v "$t" >/dev/null || skip_all "$t is not installed (tests/install-deps.sh)"
done
mkdir -p "$out"
out=$(cd "$out" && pwd)

bash "$top/tests/package/build.sh" "$out/a" >"$out/a.err" 2>&1
rc=$?
ok "dpkg-buildpackage -us -uc -b (with the offline tests)" [ $rc -eq 0 ]
if [ $rc -ne 0 ]; then
	sed 's/^/#   /' "$out/a.err" | tail -30
	done_testing
	exit 1
fi
grep -E '^# (TOTAL|PASS|FAIL|ERROR):' "$out/a/build.log" | sed 's/^# /#   build tests: /'

lintian --fail-on error,warning --pedantic --display-info "$out/a"/*.changes >"$out/lintian.log" 2>&1
rc=$?
ok "lintian: no errors, no warnings" [ $rc -eq 0 ]
grep -E '^[EWIPX]: ' "$out/lintian.log" | sed 's/^/#   /'

(
	umask 002
	cd /
	export TZ=Pacific/Chatham LC_ALL=C.UTF-8 TMPDIR=/var/tmp
	DEB_BUILD_OPTIONS="nocheck ${DEB_BUILD_OPTIONS-}" bash "$top/tests/package/build.sh" "$out/b"
) >"$out/b.err" 2>&1
rc=$?
ok "a second build (other directory, time zone, locale, umask)" [ $rc -eq 0 ]
[ $rc -eq 0 ] || sed 's/^/#   /' "$out/b.err" | tail -30
for f in "$out/a"/*.deb; do
	b=${f##*/}
	ok "reproducible: $b is byte-identical" cmp -s "$f" "$out/b/$b"
done

done_testing
