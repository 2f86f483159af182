#!/bin/bash
# Refresh: expired access tokens are replaced transparently through the
# refresh token grant (RFC 8707 resource = the audience), the rotated
# refresh token is stored, parallel refreshes do not reuse a refresh token,
# a reused (revoked) refresh token or a logout means "run pam-jwt login"
# (exit 3), and an unreachable auth center is exit 5 with the login kept.
set -u
. "${top_srcdir:?}/tests/helper/common.sh"
th_require
th_setup
ACDIR=$T/ac
th_start_ac "$ACDIR"
th_client_conf "audiences = ssh://host1 ssh://short"
"$AC" resource "$ACDIR" ssh://short --ttl 5 || bail "ac.sh resource failed"
th_verify_conf "$T/conf/host1.conf" ssh://host1
th_verify_conf "$T/conf/short.conf" ssh://short

th_login alice
is "login: exit 0" "$LOGIN_RC" 0

# ---- an access token that expires --------------------------------------

hx token --audience ssh://short --min-valid 0
rc_is "token for a 5 s audience: exit 0" $X_OK
OLD=$OUT
RT0=$(cache_get refresh_token)
sleep 6
ac_reset
hx token --audience ssh://short --min-valid 0
rc_is "after it expired: token still exit 0 (refreshed transparently)" $X_OK
NEW=$OUT
ok "after it expired: a new token" test "$NEW" != "$OLD"
is "after it expired: one token request (the refresh)" "$(ac_token_count)" 1
ok "the expired token is refused by the host" bash -c '! printf "%s\n" "$1" | "$2" verify --config "$3" >/dev/null 2>&1' _ "$OLD" "$CLI" "$T/conf/short.conf"
vf "$T/conf/short.conf" "$NEW" --user alice
vf_accepted "the refreshed token is accepted"
RT1=$(cache_get refresh_token)
ok "the refresh rotated the refresh token in the cache" test -n "$RT1" -a "$RT1" != "$RT0"

# ---- --min-valid larger than the lifetime forces a refresh ----------------

hx token --audience ssh://host1
A=$OUT
hx token --audience ssh://host1
same "a valid cached token is reused" "$OUT" "$A"
ac_reset
hx token --audience ssh://host1 --min-valid 3600
rc_is "--min-valid longer than the lifetime: exit 0" $X_OK
B=$OUT
ok "--min-valid longer than the lifetime: a fresh token" test "$B" != "$A"
is "--min-valid: one refresh request" "$(ac_token_count)" 1
like "--min-valid: notes that the lifetime is shorter" "$ERR" 'live only [0-9]+ s, less than --min-valid 3600'
vf "$T/conf/host1.conf" "$B" --user alice
vf_accepted "the fresh token is accepted for host1"

# ---- parallel refreshes share the refresh token safely --------------------

for i in 1 2 3 4 5 6; do
	"$CLI" token --audience ssh://host1 --min-valid 3600 >"$T/par.$i.out" 2>"$T/par.$i.err" &
	pids[i]=$!
done
prc=0
for i in 1 2 3 4 5 6; do
	wait "${pids[i]}" || prc=1
done
is "six parallel refreshes all succeed" "$prc" 0
hx token --audience ssh://host1 --min-valid 3600
rc_is "after the parallel refreshes the login still works (no refresh token was reused)" $X_OK

# ---- a reused refresh token revokes the login --------------------------------

F=$(login_file)
cp -p "$F" "$T/login.before"
hx token --audience ssh://host1 --min-valid 3600
rc_is "refresh before the replay: exit 0" $X_OK
cp -p "$F" "$T/login.after"
cp -p "$T/login.before" "$F"
hx token --audience ssh://host1 --min-valid 3600
rc_is "reusing an old refresh token: exit 3 (login needed)" $X_LOGIN
like "reusing an old refresh token: expired or revoked, run pam-jwt login" "$ERR" \
	'expired or was revoked.*invalid_grant.*run pam-jwt login'
is "reusing an old refresh token: nothing on stdout" "$OUT" ""
is "the dead refresh token is dropped from the cache" "$(cache_get refresh_token)" ""
hx token --audience ssh://host1 --min-valid 3600
rc_is "afterwards: exit 3 without asking the auth center" $X_LOGIN
like "afterwards: says the login expired or was revoked" "$ERR" 'expired or was revoked: run pam-jwt login'
hx status
like "status: no refresh token, run pam-jwt login" "$OUT" 'refresh token: none .*run pam-jwt login'
cp -p "$T/login.after" "$F"
hx token --audience ssh://host1 --min-valid 3600
rc_is "the newer refresh token died with the grant: exit 3" $X_LOGIN

# ---- logout revokes at the auth center --------------------------------------

th_login alice
is "login again: exit 0" "$LOGIN_RC" 0
hx token --audience ssh://host1 --min-valid 3600
rc_is "token after the new login: exit 0" $X_OK
F=$(login_file)
cp -p "$F" "$T/login.saved"
hx logout
rc_is "logout: exit 0" $X_OK
like "logout: the refresh token was revoked at the auth center" "$OUT" 'refresh token revoked at the auth center'
ok "logout: the login file is gone" test ! -e "$F"
hx token --audience ssh://host1
rc_is "token after logout: exit 3" $X_LOGIN
like "token after logout: run pam-jwt login" "$ERR" 'not logged in.*run pam-jwt login'
cp -p "$T/login.saved" "$F"
hx token --audience ssh://host1 --min-valid 3600
rc_is "a copy of the logged-out refresh token is dead at the auth center: exit 3" $X_LOGIN
like "... with the auth center's invalid_grant" "$ERR" 'invalid_grant'
hx logout
rc_is "logout with a dead login: exit 0" $X_OK
hx logout
rc_is "logout when not logged in: exit 0" $X_OK

# ---- the auth center is unreachable -------------------------------------------

th_login alice
hx token --audience ssh://host1
rc_is "token: exit 0" $X_OK
PORT=$(cat "$ACDIR/port")
"$AC" stop "$ACDIR" >/dev/null 2>&1
hx token --audience ssh://host1
rc_is "auth center down, cached token still valid: exit 0 (no network needed)" $X_OK
hx token --audience ssh://host1 --min-valid 3600
rc_is "auth center down, refresh needed: exit 5" $X_NET
like "auth center down: says it cannot reach it and keeps the login" "$ERR" \
	'cannot reach the auth center.*try again.*login is kept'
ISS_OLD=$ISS
th_start_ac "$ACDIR" --port "$PORT"
is "auth center restarted on the same issuer" "$ISS" "$ISS_OLD"
hx token --audience ssh://host1 --min-valid 3600
rc_is "auth center back: refresh works again (exit 0)" $X_OK

# ---- a wrong CA is a network error that says so -------------------------------

hx token --audience ssh://host1 --min-valid 3600 --ca-file /etc/ssl/certs/ca-certificates.crt
rc_is "untrusted auth center certificate: exit 5" $X_NET
like "untrusted certificate: mentions ca_file" "$ERR" 'ca_file'

done_testing
