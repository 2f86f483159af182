#!/bin/bash
# Every object pam_jwt installs is built hardened, whoever builds it: the
# PAM module (loaded into sshd, sudo, su and greeters), the NSS module
# (loaded into every process), the CLI and the fetch helper.  For each:
#   - stack protector: it calls __stack_chk_fail;
#   - _FORTIFY_SOURCE: it calls at least one checked *_chk function;
#   - full RELRO: a GNU_RELRO segment and BIND_NOW;
#   - on x86-64, -fcf-protection: the functions start with endbr64 (the
#     IBT/SHSTK note needs every linked object to have it, and Debian 12's
#     crti.o has not: the instructions are what the flag puts there).
#
#   tests/hardening.sh [FILE...]   (default: the objects of the build tree)
#
# The installed-package test runs it on the installed files.  Prints TAP.
set -u
top=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
build=${top_builddir:-$top}
. "$top/tests/lib/tap.sh"

for t in readelf nm objdump; do
	command -v "$t" >/dev/null || skip_all "$t is not installed (binutils)"
done
# FORTIFY needs optimisation: a build tree configured without it (or
# with --disable-hardening, or the sanitizers) is told apart from one
# whose configure failed to add the flags.
fortify=1
if [ $# -gt 0 ]; then
	objects=("$@")
else
	objects=("$build/pam_jwt/.libs/pam_jwt.so" "$build/nss_jwt/.libs/libnss_jwt.so.2"
		"$build/tools/pam-jwt" "$build/pam_jwt/pam_jwt-fetch")
	if [ -x "$build/config.status" ]; then
		conf=$("$build/config.status" --config)
		case $conf in *--disable-hardening* | *--enable-sanitizers*)
			skip_all "configured with --disable-hardening or --enable-sanitizers" ;;
		esac
		grep -qE '^CFLAGS = .*-O[1-3sz]?( |$)' "$build/Makefile" || fortify=0
	fi
fi

cet=0
case $(uname -m) in x86_64) cet=1 ;; esac

for o in "${objects[@]}"; do
	name=${o##*/}
	if [ ! -f "$o" ] || ! readelf -h "$o" >/dev/null 2>&1; then
		ok "$name: is a built ELF object ($o)" false
		continue
	fi
	undef=$(nm -D --undefined-only "$o" | awk '{print $2}' | sed 's/@.*//')
	ok "$name: stack protector (calls __stack_chk_fail)" \
		grep -qx '__stack_chk_fail' <<<"$undef"
	chk=$(grep -E '^__[a-z_0-9]+_chk$' <<<"$undef" | grep -vx '__stack_chk_fail' | tr '\n' ' ')
	if [ "$fortify" = 1 ]; then
		ok "$name: _FORTIFY_SOURCE (calls checked functions: ${chk:-none})" [ -n "$chk" ]
	else
		ok "$name: _FORTIFY_SOURCE # SKIP CFLAGS have no optimisation" true
	fi
	ok "$name: RELRO segment" grep -q 'GNU_RELRO' < <(readelf -lW "$o")
	ok "$name: BIND_NOW (full RELRO)" \
		grep -qE '\((BIND_NOW|FLAGS)\).*(BIND_NOW|NOW)|\(FLAGS_1\).*\bNOW\b' < <(readelf -dW "$o")
	if [ "$cet" = 1 ]; then
		# the C runtime's own start code brings two
		n=$(objdump -d --section=.text "$o" | grep -c 'endbr64')
		ok "$name: -fcf-protection ($n endbr64 at function entries)" [ "$n" -gt 10 ]
	fi
done

done_testing
