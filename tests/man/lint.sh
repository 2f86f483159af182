#!/bin/bash
# Every man page in the tree is clean for `mandoc -T lint` (every level,
# style included) and for `groff -ww -z` (all warnings), and is one that
# `make install` installs (man_MANS, given by tests/man/Makefile.inc).
set -u
top=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$top/tests/lib/tap.sh"

pages=()
for f in "$top"/pam_jwt/*.[1-8] "$top"/nss_jwt/*.[1-8] "$top"/tools/*.[1-8]; do
	[ -f "$f" ] && pages+=("${f#"$top"/}")
done
[ "${#pages[@]}" -gt 0 ] || skip_all "no man pages found under $top"
have_mandoc=0
command -v mandoc >/dev/null 2>&1 && have_mandoc=1
command -v groff >/dev/null 2>&1 || [ "$have_mandoc" -eq 1 ] ||
	skip_all "neither mandoc nor groff is installed"

# the pages of the module, its configuration, the CLI and the NSS module
for want in pam_jwt/pam_jwt.8 pam_jwt/pam_jwt.conf.5 tools/pam-jwt.1 nss_jwt/nss_jwt.8; do
	ok "$want exists" test -f "$top/$want"
done

lint() {
	local out
	out=$(cd "$top" && mandoc -T lint "$1" 2>&1)
	[ -z "$out" ] || { printf '%s\n' "$out" | head -n 20 | sed 's/^/#   /'; return 1; }
}
groff_ww() {
	local out
	out=$(groff -ww -z -man -t "$top/$1" 2>&1)
	[ -z "$out" ] || { printf '%s\n' "$out" | head -n 20 | sed 's/^/#   /'; return 1; }
}
for p in "${pages[@]}"; do
	if [ "$have_mandoc" -eq 1 ]; then
		ok "mandoc -T lint: $p" lint "$p"
	else
		skip "mandoc -T lint: $p" "mandoc is not installed"
	fi
	if command -v groff >/dev/null 2>&1; then
		ok "groff -ww: $p" groff_ww "$p"
	else
		skip "groff -ww: $p" "groff is not installed"
	fi
done

# PJ_MAN_PAGES: what make install installs (set by make check)
if [ -n "${PJ_MAN_PAGES:-}" ]; then
	installed=" $(echo $PJ_MAN_PAGES) "
	for p in "${pages[@]}"; do
		ok "$p is installed (man_MANS)" test "${installed/ $p /}" != "$installed"
	done
else
	skip "the man pages are installed" "PJ_MAN_PAGES is set by make check"
fi
done_testing
