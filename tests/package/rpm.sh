#!/bin/bash
# The RPM spec (pam_jwt.spec) builds: `make dist`'s tarball through
# rpmbuild -ba, with the offline tests in %check; the packages hold the
# module in %{_libdir}/security, the NSS module, the CLI and the helper,
# and no scriptlet.  On Debian, rpmbuild runs with --nodeps (the build
# dependencies are Debian packages, unknown to rpm's database).
#
#   tests/package/rpm.sh OUTDIR
#
# Prints TAP; skips when rpmbuild is not installed.
set -u
top=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
build=${top_builddir:-$top}
. "$top/tests/lib/tap.sh"
[ $# -eq 1 ] || { echo "usage: $0 OUTDIR" >&2; exit 2; }
command -v rpmbuild >/dev/null || skip_all "rpmbuild is not installed (Debian package rpm)"
[ -f "$build/Makefile" ] || skip_all "run configure first (make dist)"
out=$1
rm -rf "$out"
mkdir -p "$out/SOURCES"
out=$(cd "$out" && pwd)
version=$(sed -n 's/^Version: *//p' "$top/pam_jwt.spec")

make -s -C "$build" dist-gzip distdir="pam_jwt-$version" >"$out/dist.log" 2>&1 &&
	mv "$build/pam_jwt-$version.tar.gz" "$out/SOURCES/"
ok "make dist gives pam_jwt-$version.tar.gz (the spec's Source0)" [ -f "$out/SOURCES/pam_jwt-$version.tar.gz" ]

nodeps=()
command -v dpkg >/dev/null && nodeps=(--nodeps)
rpmbuild -ba "${nodeps[@]}" --define "_topdir $out" "$top/pam_jwt.spec" >"$out/rpmbuild.log" 2>&1
rc=$?
ok "rpmbuild -ba pam_jwt.spec (with the offline tests in %check)" [ $rc -eq 0 ]
[ $rc -eq 0 ] || tail -30 "$out/rpmbuild.log" | sed 's/^/#   /'
grep -E '^# (TOTAL|PASS|FAIL|ERROR):' "$out/rpmbuild.log" | sed 's/^# /#   %check: /'

main=$(ls "$out"/RPMS/*/pam_jwt-"$version"-*.rpm 2>/dev/null | grep -v -e debug -e '-nss-' | head -n 1)
nss=$(ls "$out"/RPMS/*/pam_jwt-nss-"$version"-*.rpm 2>/dev/null | head -n 1)
libdir=$(rpm --eval '%{_libdir}')
files=$( [ -n "$main" ] && rpm -qlp "$main" 2>/dev/null)
for f in "$libdir/security/pam_jwt.so" /usr/bin/pam-jwt /usr/bin/pam-jwt-askpass \
	/usr/libexec/pam_jwt/pam_jwt-fetch /etc/security/pam_jwt.conf; do
	ok "pam_jwt.rpm has $f" grep -qx "$f" <<<"$files"
done
ok "pam_jwt-nss.rpm has $libdir/libnss_jwt.so.2" \
	grep -qx "$libdir/libnss_jwt.so.2" < <([ -n "$nss" ] && rpm -qlp "$nss" 2>/dev/null)
is "pam_jwt.conf is %config(noreplace)" \
	"$([ -n "$main" ] && rpm -qp --configfiles "$main" 2>/dev/null)" /etc/security/pam_jwt.conf
is "no scriptlet (nothing touches the PAM stack or nsswitch.conf)" \
	"$(for p in $main $nss; do rpm -qp --scripts "$p" 2>/dev/null; done)" ""
done_testing
