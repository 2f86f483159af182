#!/bin/bash
# House rules that a machine can check (STYLE.md): the module exports only
# the PAM entry points; no sprintf/strcpy/strcat/sscanf/atoi/strtok in the
# project's C; the code is formatted by the one .clang-format; no source
# file past 600 lines.
set -u
top=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
build=${top_builddir:-$top}
. "$top/tests/lib/tap.sh"
cd "$top" || exit 1
src=$(ls pam_jwt/*.c pam_jwt/*.h tools/*.c tools/*.h nss_jwt/*.c nss_jwt/*.h)

so=$build/pam_jwt/.libs/pam_jwt.so
if [ -f "$so" ]; then
	exported=$(nm -D --defined-only "$so" | awk '{print $3}' | sort | tr '\n' ' ')
	is "pam_jwt.so exports only the PAM entry points" "$exported" \
		"pam_sm_acct_mgmt pam_sm_authenticate pam_sm_close_session pam_sm_open_session pam_sm_setcred "
	# libcurl reads the caller's environment and keeps global state: the
	# module's requests run in pam_jwt-fetch, never in the host process
	is "pam_jwt.so has no trace of libcurl (no symbol, no dlopen name)" \
		"$(strings "$so" | grep -ci curl)" 0
	is "pam_jwt.so links no libcurl" "$(ldd "$so" | grep -c libcurl)" 0
fi

banned=$(grep -nE '\b(sprintf|vsprintf|strcpy|strcat|sscanf|atoi|atol|strtok)\s*\(' $src tests/*/*.c |
	grep -v '^\s*/[*/]' || true)
is "no sprintf, strcpy, strcat, sscanf, atoi or strtok" "$banned" ""

if command -v clang-format >/dev/null; then
	unformatted=$(for f in $src; do clang-format --dry-run -Werror "$f" >/dev/null 2>&1 || echo "$f"; done)
	is "pam_jwt/, nss_jwt/ and tools/ are formatted with .clang-format" "$unformatted" ""
else
	diag "clang-format is not installed: format not checked"
fi

long=$(wc -l $src | awk '$2 != "total" && $1 > 600 {print $2 " (" $1 " lines)"}')
is "no source file past 600 lines" "$long" ""

done_testing
