#!/bin/bash
# Builds pam_jwt's Debian packages from a clean copy of the sources, never
# in the developer's tree:
#
#   tests/package/build.sh OUTDIR [dpkg-buildpackage options...]
#
# The copy is `make distdir` of the configured tree (git archive of HEAD
# when there is none); dpkg-buildpackage -us -uc -b runs there and the
# .deb, .ddeb, .buildinfo and .changes files land in OUTDIR, the build's
# output in OUTDIR/build.log.  DEB_BUILD_OPTIONS / DEB_BUILD_PROFILES
# (nocheck) pass through.  Exits non-zero when the build fails.
set -eu
top=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
build=${top_builddir:-$top}
[ $# -ge 1 ] || { echo "usage: $0 OUTDIR [dpkg-buildpackage options]" >&2; exit 2; }
out=$1
shift
mkdir -p "$out"
out=$(cd "$out" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/pam_jwt_deb.XXXXXX")
trap 'rm -rf "$work"' EXIT
src=$work/pam-jwt
if [ -f "$build/Makefile" ]; then
	make -s -C "$build" distdir distdir="$src" >"$work/distdir.log" 2>&1 ||
		{ tail -20 "$work/distdir.log" >&2; exit 1; }
else
	mkdir "$src"
	git -C "$top" archive HEAD | tar -x -C "$src"
fi
rm -f "$out"/*.deb "$out"/*.ddeb "$out"/*.buildinfo "$out"/*.changes
rc=0
(cd "$src" && dpkg-buildpackage -us -uc -b "$@") >"$out/build.log" 2>&1 || rc=$?
if [ $rc -ne 0 ]; then
	tail -40 "$out/build.log" >&2
	exit $rc
fi
mv "$work"/*.deb "$work"/*.buildinfo "$work"/*.changes "$out/"
mv "$work"/*.ddeb "$out/" 2>/dev/null || true
