#!/bin/bash
# pam_jwt called from several threads of one process at once (a PAM host
# may be threaded): every verdict right, and helgrind finds no data race
# in the module.  Keys from a JWKS file, and from the test auth center
# (so the libcurl path and the cache lock run in threads too).
set -u
top=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
build=${top_builddir:-$top}
. "$top/tests/lib/tap.sh"
bin=$build/tests/threads/threads
[ -x "$bin" ] || skip_all "tests/threads/threads is not built"
command -v node >/dev/null || skip_all "node is not installed"
[ -d "$top/tests/jose-tools/node_modules" ] || skip_all "run npm ci in tests/jose-tools"

work=$(mktemp -d)
ac=""
cleanup() {
	[ -n "$ac" ] && "$top/tests/authcenter/ac.sh" stop "$ac" >/dev/null 2>&1
	rm -rf "$work"
}
trap cleanup EXIT
jt="$top/tests/jose-tools"
module=$build/pam_jwt/.libs/pam_jwt.so
# The logins are daemon's (UID 1), an account every system has: a claim
# never names root, and min_uid = 1 lets it name daemon.

node "$jt/keygen.mjs" ES256 "$work/k" --kid k1 --quiet
node "$jt/jwks.mjs" "$work/k.pub.jwk" >"$work/jwks.json"
good=$(node "$jt/mint.mjs" --key "$work/k.priv.jwk" --alg ES256 --kid k1 --iss https://idp.test \
	--aud host1 --sub daemon --exp-in 600)
# Change one character well inside the signature (the last one may carry
# padding bits only).
tamper() {
	local t=$1 i=$((${#1} - 10)) c
	c=${t:$i:1}
	[ "$c" = "A" ] && c=B || c=A
	printf '%s%s%s' "${t:0:$i}" "$c" "${t:$((i + 1))}"
}
bad=$(tamper "$good")
cat >"$work/conf" <<CONF
issuer = https://idp.test
audience = host1
jwks_file = $work/jwks.json
min_uid = 1
CONF
chmod 600 "$work/conf" "$work/jwks.json"
mkdir "$work/pam.d"
printf 'auth required %s config=%s\naccount required %s config=%s\n' \
	"$module" "$work/conf" "$module" "$work/conf" >"$work/pam.d/svc"
printf 'auth required pam_deny.so\naccount required pam_deny.so\n' >"$work/pam.d/other"

ok "4 threads x 25 rounds: every verdict right (JWKS file)" \
	"$bin" "$work/pam.d" svc daemon "$good" "$bad" 4 25
diag "$("$bin" "$work/pam.d" svc daemon "$good" "$bad" 2 2 | tr '\n' ' ')"

if command -v valgrind >/dev/null; then
	valgrind --tool=helgrind --error-exitcode=99 -q --suppressions="$top/tests/threads/helgrind.supp" \
		"$bin" "$work/pam.d" svc daemon "$good" "$bad" 3 3 \
		>"$work/hg.out" 2>"$work/hg.err"
	rc=$?
	ok "helgrind: no data race with 3 threads (JWKS file)" [ "$rc" -eq 0 ]
	[ "$rc" -eq 0 ] || head -40 "$work/hg.err" | sed 's/^/# /'
fi

# Keys from the auth center: all threads start with an empty cache.
if [ -d "$top/tests/authcenter/node_modules" ]; then
	ac=$work/ac
	iss=$("$top/tests/authcenter/ac.sh" start "$ac")
	tok=$("$top/tests/authcenter/ac.sh" mint "$ac" --user daemon --audience ssh://threads --alg EdDSA)
	cat >"$work/conf2" <<CONF
issuer = $iss
audience = ssh://threads
ca_file = $ac/ca.pem
cache_dir = $work/cache
fetch_helper = $build/pam_jwt/pam_jwt-fetch
http_timeout = 5
min_uid = 1
CONF
	chmod 600 "$work/conf2"
	printf 'auth required %s config=%s\naccount required %s config=%s\n' \
		"$module" "$work/conf2" "$module" "$work/conf2" >"$work/pam.d/svc2"
	"$top/tests/authcenter/ac.sh" stats "$ac" --reset >/dev/null
	ok "4 threads x 10 rounds: every verdict right (auth center keys, empty cache)" \
		"$bin" "$work/pam.d" svc2 daemon "$tok" "$(tamper "$tok")" 4 10
	jwks=$("$top/tests/authcenter/ac.sh" stats "$ac" | sed -n 's/.*"jwks":\([0-9]*\).*/\1/p')
	is "threads shared one JWKS fetch (cache lock)" "$jwks" 1
	if command -v valgrind >/dev/null; then
		rm -rf "$work/cache"
		valgrind --tool=helgrind --error-exitcode=99 -q \
			--suppressions="$top/tests/threads/helgrind.supp" "$bin" "$work/pam.d" svc2 daemon "$tok" "$(tamper "$tok")" 3 2 \
			>"$work/hg2.out" 2>"$work/hg2.err"
		rc=$?
		ok "helgrind: no data race with 3 threads (libcurl fetch, cache lock)" [ "$rc" -eq 0 ]
		[ "$rc" -eq 0 ] || head -40 "$work/hg2.err" | sed 's/^/# /'
	fi
fi
done_testing
