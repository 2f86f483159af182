#!/bin/bash
# pam-jwt token and askpass hand out only tokens that the named host alone
# accepts: an auth center that ignores RFC 8707 `resource` (a token for
# another host, for several hosts, without aud), an expired token or one
# without exp is refused, from the auth center and from the cache alike,
# with exit 1, nothing on stdout and a message that says what the auth
# center did and how to configure it.  --allow-multi-audience /
# allow_multi_audience = yes lets through an aud array that holds the
# requested audience among others, and nothing else.  The same for the
# client credentials token of `pam-jwt robot`.
#
# The auth center here is tests/helper/fake_as.mjs in mode `issue`: it
# answers every token request with an access token shaped by
# DIR/shape.json (the real test auth center always honours `resource`).
set -u
. "${top_srcdir:?}/tests/helper/common.sh"
th_require
th_setup
ACDIR=$T/ac
th_start_ac "$ACDIR" # for its CA and server certificate

FAKE=$T/fake
mkdir -p "$FAKE"
cp "$ACDIR/server.pem" "$ACDIR/server.key" "$FAKE/"
node "$top_srcdir/tests/helper/fake_as.mjs" "$FAKE" issue >"$FAKE/log" 2>&1 &
TH_PIDS+=("$!")
for ((i = 0; i < 100; i++)); do
	[ -s "$FAKE/fake.port" ] && break
	sleep 0.05
done
[ -s "$FAKE/fake.port" ] || bail "fake_as.mjs did not start: $(cat "$FAKE/log")"
ISS="https://127.0.0.1:$(cat "$FAKE/fake.port")"
th_client_conf "audiences = ssh://host1 ssh://host2 ssh://host3 ssh://host4 ssh://host5 ssh://host6"

# shape JSON: the claims of the next tokens (see fake_as.mjs).
shape() { printf '%s\n' "$1" >"$FAKE/shape.json"; }

# refused NAME CMD ARG...: pam-jwt CMD ARG... exits 1 with an empty stdout.
refused() {
	local name=$1
	shift
	hx "$@"
	rc_is "$name: exit 1" $X_FAIL
	ok "$name: nothing on stdout" test -z "$OUT"
}

# ---- the login's own token is for another host ---------------------------

shape '{"aud": "sudo://host2", "exp": 600}'
"$CLI" login --no-qr >"$T/login.out" 2>&1
is "login at an auth center that ignores resource: exit 0" "$?" 0
shape '{"aud": "RESOURCE", "exp": 600}'
hx token --audience ssh://host1
rc_is "auth center ignored resource at login: the cached token for sudo://host2 is not handed out: exit 0" $X_OK
is "... a fresh token for ssh://host1 is printed instead" "$(claim "$OUT" aud)" "ssh://host1"

# ---- a token for another audience ----------------------------------------

shape '{"aud": "sudo://host2", "exp": 600}'
RT=$(cache_get refresh_token)
refused "auth center ignores resource (aud sudo://host2 for ssh://host2): token" token --audience ssh://host2
like "... says what the auth center did" "$ERR" \
	'issued a token for audience "sudo://host2" when asked for ssh://host2.*ignores the resource parameter'
like "... says how to configure it" "$ERR" 'audience mapper'
ok "... the rotated refresh token is kept" test "$(cache_get refresh_token)" != "$RT"
refused "auth center ignores resource (aud sudo://host2 for ssh://host2): askpass" \
	askpass "(alice@host2) Token: "
like "askpass: says what the auth center did" "$ERR" 'issued a token for audience "sudo://host2"'
hx token --audience ssh://host2 --allow-multi-audience
rc_is "a token for another audience: refused with --allow-multi-audience too" $X_FAIL

shape '{"exp": 600}'
refused "a token without aud: token" token --audience ssh://host2
like "... says it has no aud" "$ERR" 'without an aud claim'
refused "a token without aud: askpass" askpass "(alice@host2) Token: "

shape '{"aud": ["ssh://hostX", "ssh://hostY"], "exp": 600}'
hx token --audience ssh://host2 --allow-multi-audience
rc_is "an aud array without the requested audience: refused even with --allow-multi-audience" $X_FAIL
ok "... nothing on stdout" test -z "$OUT"

shape '{"aud": 42, "exp": 600}'
refused "aud neither a string nor an array: token" token --audience ssh://host2

# ---- several audiences ------------------------------------------------------

shape '{"aud": ["RESOURCE", "ssh://host2"], "exp": 600}'
refused "auth center adds other hosts to aud (replay to them): token" token --audience ssh://host3
like "... names the audiences" "$ERR" 'several audiences \("ssh://host3", "ssh://host2"\)'
like "... says the risk" "$ERR" 'replay'
like "... says how to allow it" "$ERR" '--allow-multi-audience'
refused "auth center adds other hosts to aud (replay to them): askpass" askpass "(alice@host3) Token: "

hx token --audience ssh://host3 --allow-multi-audience
rc_is "several audiences with --allow-multi-audience: exit 0" $X_OK
is "... the token holds the requested audience" "$(claim "$OUT" aud)" '["ssh://host3","ssh://host2"]'
hx token --audience ssh://host3
rc_is "the cached multi-audience token without the option: exit 1" $X_FAIL
ok "... nothing on stdout" test -z "$OUT"
PAM_JWT_CLI_ALLOW_MULTI_AUDIENCE=yes hx token --audience ssh://host3
rc_is "several audiences with PAM_JWT_CLI_ALLOW_MULTI_AUDIENCE=yes: exit 0" $X_OK

th_client_conf "audiences = ssh://host1 ssh://host2 ssh://host3 ssh://host4 ssh://host5 ssh://host6" \
	"allow_multi_audience = yes"
hx askpass "(alice@host3) Token: "
rc_is "several audiences with allow_multi_audience = yes: askpass answers" $X_OK
is "... with the token holding the requested audience" "$(claim "$OUT" aud)" '["ssh://host3","ssh://host2"]'
th_client_conf "audiences = ssh://host1 ssh://host2 ssh://host3 ssh://host4 ssh://host5 ssh://host6" \
	"allow_multi_audience = maybe"
hx token --audience ssh://host3
rc_is "allow_multi_audience = maybe: a configuration error (exit 2)" $X_USAGE
th_client_conf "audiences = ssh://host1 ssh://host2 ssh://host3 ssh://host4 ssh://host5 ssh://host6"

shape '{"aud": ["RESOURCE"], "exp": 600}'
hx token --audience ssh://host6
rc_is "an aud array of exactly the requested audience: exit 0" $X_OK
is "... printed" "$(claim "$OUT" aud)" '["ssh://host6"]'

# ---- expired tokens ----------------------------------------------------------

shape '{"aud": "RESOURCE", "exp": -60}'
refused "an expired token from the auth center: token" token --audience ssh://host4
like "... says it expired" "$ERR" 'expired'
refused "an expired token from the auth center: askpass" askpass "(alice@host4) Token: "
hx token --audience ssh://host4 --allow-multi-audience
rc_is "an expired token: refused with --allow-multi-audience too" $X_FAIL

shape '{"aud": "RESOURCE", "exp": null}'
refused "a token without exp (never expires): token" token --audience ssh://host5
like "... says it has no exp" "$ERR" 'without an exp claim'
refused "a token without exp: askpass" askpass "(alice@host5) Token: "
shape '{"aud": "RESOURCE", "exp": 600}'
hx token --audience ssh://host5
rc_is "a good token after all that: exit 0" $X_OK
is "... for ssh://host5" "$(claim "$OUT" aud)" "ssh://host5"

# ---- robots: the client credentials grant -----------------------------------

export ROBOT_SECRET=robot-secret
shape '{"aud": "sudo://host2", "exp": 600}'
refused "robot: auth center ignores resource (aud sudo://host2 for ssh://host1)" \
	robot --client-id robot --client-secret-env ROBOT_SECRET --audience ssh://host1
like "... says what the auth center did" "$ERR" 'issued a token for audience "sudo://host2"'
shape '{"aud": ["RESOURCE", "ssh://host2"], "exp": 600}'
refused "robot: several audiences" robot --client-id robot --client-secret-env ROBOT_SECRET \
	--audience ssh://host1
hx robot --client-id robot --client-secret-env ROBOT_SECRET --audience ssh://host1 --allow-multi-audience
rc_is "robot: several audiences with --allow-multi-audience: exit 0" $X_OK
shape '{"aud": "RESOURCE", "exp": -60}'
refused "robot: an expired token" robot --client-id robot --client-secret-env ROBOT_SECRET \
	--audience ssh://host1
shape '{"aud": "RESOURCE", "exp": 600}'
hx robot --client-id robot --client-secret-env ROBOT_SECRET --audience ssh://host1
rc_is "robot: a token for exactly ssh://host1: exit 0" $X_OK

done_testing
