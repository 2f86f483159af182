#!/bin/bash
# pam-jwt verify wipes the token it read on every path, a read error after
# part of the token included: tests/helper/libwipecheck.so (wipecheck.c)
# aborts the program when a freed block still holds the token, and makes
# standard input fail after its first read.  No auth center needed.
set -u
. "${top_srcdir:?}/tests/helper/common.sh"
[ -x "$CLI" ] || skip_all "CLI not built ($CLI)"
WIPECHECK=$top_builddir/tests/helper/.libs/libwipecheck.so
[ -f "$WIPECHECK" ] || skip_all "tests/helper/libwipecheck.la not built (make check builds it)"
if nm -D "$CLI" 2>/dev/null | grep -q '__asan_init\|__tsan_init'; then
	skip_all "built with a sanitizer, whose allocator wipecheck cannot watch"
fi
th_setup
printf 'issuer = https://issuer.example\naudience = ssh://host1\nkey_file = %s\n' \
	"$T/keys/none.pem" >"$T/conf/verify.conf"
chmod 600 "$T/conf/verify.conf"
SECRET=eyJ-not-a-real-token-but-a-secret-all-the-same-3f9a

# wv [ENV...]: pam-jwt verify under wipecheck, stdin from $T/in; sets RC, OUT, ERR.
wv() {
	env LD_PRELOAD="$WIPECHECK" WIPECHECK_SECRET="$SECRET" "$@" \
		"$CLI" verify --config "$T/conf/verify.conf" <"$T/in" >"$T/wv.out" 2>"$T/wv.err"
	RC=$?
	OUT=$(cat "$T/wv.out")
	ERR=$(cat "$T/wv.err")
}

printf '%s\n' "$SECRET" >"$T/in"
wv
is "a whole token read: refused as malformed (exit 1)" "$RC" 1
unlike "... and wiped before it is freed" "$ERR" 'wipecheck'

: >"$T/in"
wv WIPECHECK_STDIN_FAIL=1
is "a token read in part, then a read error: exit 2" "$RC" 2
like "... says it cannot read standard input" "$ERR" 'cannot read standard input'
unlike "... and the part read is wiped before it is freed" "$ERR" 'wipecheck'

done_testing
