#!/bin/bash
# Introspection (RFC 7662) against the test auth center: with
# `introspect = yes` (in the file or on one PAM line) the module asks the
# auth center, after every local check has passed, whether the token is
# still active; a revoked refresh grant (RFC 7009, what `pam-jwt logout`
# does) or a disabled user is refused at the next login although the
# token's signature and exp are fine.  An answer that disagrees with the
# token is refused; an auth center that is down or slow refuses within
# http_timeout (or lets the login pass with introspect_unavailable =
# allow, logged); answers are kept at most introspect_cache seconds.
set -u
. "${top_srcdir:?}/tests/keys/common.sh"
pk_require_built
pk_require_ac
pk_setup

ac_start "$T/ac"
ISS=$AC_ISS
CACHE=$T/cache
pk_newcache "$CACHE"
SECRET=$T/keys/introspect.secret
printf 'pam-jwt-host-secret\n' >"$SECRET"
chmod 600 "$SECRET"
BASE=("issuer = $ISS" "audience = $AUD" "ca_file = $T/ac/ca.pem" "cache_dir = $CACHE"
	"http_timeout = 2" "replay_dir = $T/state")
INTRO=("introspect_client_id = pam-jwt-host" "introspect_secret_file = $SECRET")

pk_conf "$T/conf/plain.conf" "${BASE[@]}" "${INTRO[@]}"
pk_conf "$T/conf/intro.conf" "${BASE[@]}" "${INTRO[@]}" "introspect = yes"
pk_service plain "$T/conf/plain.conf"
pk_service intro "$T/conf/intro.conf"
pk_service sudo "$T/conf/plain.conf" introspect
curl_ac() { curl -sS --max-time 5 --cacert "$T/ac/ca.pem" "$@"; }
set_answer() { curl_ac -X PUT "$ISS/_test/introspect?override=$1&delay=${2:-0}" >/dev/null || bail "introspect control failed"; }
calls() { curl_ac -X "${1:-GET}" "$ISS/_test/introspect"; }
n_calls() { calls | node -e 'process.stdout.write(String(JSON.parse(require("fs").readFileSync(0,"utf8")).calls.length))'; }
# mint_pair NAME USER: NAME_AT (access token) and NAME_RT (refresh token)
mint_pair() {
	local j
	ac_mint j "$T/ac" --user "$2" --json
	printf -v "$1_AT" '%s' "$(node -e 'process.stdout.write(JSON.parse(process.argv[1]).access_token)' "$j")"
	printf -v "$1_RT" '%s' "$(node -e 'process.stdout.write(JSON.parse(process.argv[1]).refresh_token)' "$j")"
}
revoke_rt() {
	curl_ac -o /dev/null -w '%{http_code}' -d "client_id=pam-jwt-cli&token_type_hint=refresh_token" \
		--data-urlencode "token=$1" "$ISS/token/revocation"
}

# ---- an active token ---------------------------------------------------------------

mint_pair A alice
login_ok "plain: the token is accepted (keys fetched)" plain alice "$A_AT"
calls DELETE >/dev/null
login_ok "introspect = yes: an active token is accepted" intro alice "$A_AT"
is "introspect = yes: one introspection request" "$(n_calls)" 1
like "the request authenticates as the configured client in the body (client_secret_post)" \
	"$(calls)" '"client_id":"pam-jwt-host","auth":"post","token_type_hint":"access_token"'
calls DELETE >/dev/null
login_ok "without introspect: no introspection request" plain alice "$A_AT"
is "without introspect: the auth center is not asked" "$(n_calls)" 0

# ---- the refresh grant is revoked (what pam-jwt logout does) --------------------------

is "revoking the refresh token at the auth center (RFC 7009)" "$(revoke_rt "$A_RT")" 200
login_refused "attack: a token of a revoked grant, introspect = yes: refused" intro alice "$A_AT" "$E_AUTH"
vf "$T/conf/intro.conf" "$A_AT" --user alice
vf_refused_like "pam-jwt verify says why" 'no longer active'
login_ok "the same token without introspection is still accepted (until exp)" plain alice "$A_AT"
login_refused "introspect as a module argument (sudo only): refused" sudo alice "$A_AT" "$E_AUTH"

# ---- a disabled user ------------------------------------------------------------------

mint_pair B bob
login_ok "bob's token is accepted" intro bob "$B_AT"
printf '{"bob":{"groups":[],"disabled":true}}\n' >"$T/ac/users.json"
login_refused "attack: a user disabled at the auth center: refused" intro bob "$B_AT" "$E_AUTH"
rm -f "$T/ac/users.json"
login_ok "enabled again: accepted" intro bob "$B_AT"

# ---- answers that disagree with the token ----------------------------------------------

for o in '{"sub":"mallory"}' '{"iss":"https://evil.example"}' '{"aud":"ssh://other"}' \
	'{"exp":4102444800}' '{"exp":"soon"}'; do
	set_answer "$(node -e 'process.stdout.write(encodeURIComponent(process.argv[1]))' "$o")"
	pt intro bob "$B_AT"
	pt_is_refused_any "attack: an active answer with $o: refused"
done
set_answer '%7B%22active%22%3A%22true%22%7D'
login_refused "an answer whose active is not a boolean: refused (unavailable)" intro bob "$B_AT" "$E_UNAVAIL"
set_answer '%7B%7D'

# ---- bounded time; introspect_unavailable ---------------------------------------------------

set_answer '%7B%7D' 8000
pt intro bob "$B_AT"
pt_is_refused "a slow auth center: refused" "$E_UNAVAIL"
ok "a slow auth center: refused within http_timeout + 2 s (took $PT_MS ms)" test "$PT_MS" -lt 5500
set_answer '%7B%7D'
pk_conf "$T/conf/allow.conf" "${BASE[@]}" "${INTRO[@]}" "introspect = yes" "introspect_unavailable = allow"
pk_service allow "$T/conf/allow.conf"
"$AC" stop "$T/ac" || bail "ac.sh stop failed"
pt intro bob "$B_AT"
pt_is_refused "auth center down, introspect_unavailable = refuse (default): refused" "$E_UNAVAIL"
ok "auth center down: refused within the bound (took $PT_MS ms)" test "$PT_MS" -lt 5500
login_ok "auth center down, introspect_unavailable = allow: accepted" allow bob "$B_AT"
vf "$T/conf/allow.conf" "$B_AT" --user bob
like "introspect_unavailable = allow: the pass is reported" "$(cat "$T/vf.out")" \
	'^introspection: introspection unavailable, allowed \(introspect_unavailable = allow\)'
ac_restart "$T/ac"

# ---- the client secret --------------------------------------------------------------

chmod 644 "$SECRET"
login_refused "attack: a secret file others can read: refused" intro bob "$B_AT" "$E_UNAVAIL"
chmod 600 "$SECRET"
printf 'wrong\n' >"$T/keys/wrong.secret"
chmod 600 "$T/keys/wrong.secret"
pk_conf "$T/conf/wrong.conf" "${BASE[@]}" "introspect = yes" "introspect_client_id = pam-jwt-host" \
	"introspect_secret_file = $T/keys/wrong.secret"
pk_service wrong "$T/conf/wrong.conf"
login_refused "a wrong client secret (HTTP 401): refused" wrong bob "$B_AT" "$E_UNAVAIL"
pk_conf "$T/conf/nosecret.conf" "${BASE[@]}" "introspect = yes"
"$PK_CLI" check --config "$T/conf/nosecret.conf" >"$T/chk.out" 2>&1
ok "introspect without client id and secret file: a configuration error" test $? -ne 0

# ---- introspect_cache ---------------------------------------------------------------------

pk_conf "$T/conf/cache.conf" "${BASE[@]}" "${INTRO[@]}" "introspect = yes" "introspect_cache = 4"
pk_service cached "$T/conf/cache.conf"
mint_pair C alice
calls DELETE >/dev/null
login_ok "introspect_cache: first login asks" cached alice "$C_AT"
login_ok "introspect_cache: second login within the time" cached alice "$C_AT"
is "introspect_cache: one request for two logins" "$(n_calls)" 1
ok "the answer store is root-only" test "$(stat -c '%a %U' "$T/state/introspect")" = "600 root"
is "revoke C's grant" "$(revoke_rt "$C_RT")" 200
sleep 5
login_refused "introspect_cache: after it expires the revocation is seen" cached alice "$C_AT" "$E_AUTH"
pk_conf "$T/conf/bad.conf" "${BASE[@]}" "${INTRO[@]}" "introspect = yes" "introspect_cache = 60"
"$PK_CLI" check --config "$T/conf/bad.conf" >"$T/chk.out" 2>&1
ok "introspect_cache above 10 s: a configuration error" test $? -ne 0

done_testing
