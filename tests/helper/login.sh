#!/bin/bash
# The device flow end to end: `pam-jwt login` against the test auth
# center (a person approves with ac.sh device-approve), then `pam-jwt
# token` gives per-host tokens that `pam-jwt verify` accepts for that host
# only; the cache is private; status shows who and what without tokens;
# QR code and countdown only on a terminal; --json events.
set -u
. "${top_srcdir:?}/tests/helper/common.sh"
th_require
th_setup
ACDIR=$T/ac
th_start_ac "$ACDIR"
th_client_conf "audiences = ssh://host1 ssh://host2"

# ---- before any login --------------------------------------------------

hx token --audience ssh://host1
rc_is "token before any login: exit 3 (login needed)" $X_LOGIN
like "token before any login: says to run pam-jwt login" "$ERR" 'not logged in.*run pam-jwt login'
is "token before any login: nothing on stdout" "$OUT" ""

hx status
rc_is "status before any login: exit 3" $X_LOGIN
is "status before any login: nothing on stdout" "$OUT" ""
like "status before any login: says so on stderr" "$ERR" '^pam-jwt status: .*not logged in.*run pam-jwt login'
mkdir -m 700 -p "$CACHE"
hx status
rc_is "status with an empty cache directory: exit 3" $X_LOGIN
is "status with an empty cache directory: nothing on stdout" "$OUT" ""
like "status with an empty cache directory: says so on stderr" "$ERR" '^pam-jwt status: not logged in'
rmdir "$CACHE"

# ---- the device flow -----------------------------------------------------

th_login --deny
is "login denied at the auth center: exit 1" "$LOGIN_RC" 1
like "login denied: says so with the auth center's words" "$LOGIN_OUT" \
	'login was denied at the auth center \(access_denied: End-User aborted interaction\)'
ok "login denied: no login file" test -z "$(login_file)"

th_login alice --audience sudo://host1
is "login: exits 0 once approved" "$LOGIN_RC" 0
like "login: prints the verification URL" "$LOGIN_OUT" "^    $ISS/device\$"
like "login: prints the user code" "$LOGIN_OUT" 'enter the code: +[A-Z0-9]{4}-[A-Z0-9]{4}'
like "login: says who logged in" "$LOGIN_OUT" "Logged in to $ISS as alice"
like "login: lists the audiences it covers" "$LOGIN_OUT" 'Tokens can be had for: sudo://host1 ssh://host1 ssh://host2'
unlike "login without a terminal: no QR code" "$LOGIN_OUT" $'\xe2\x96\x88'
unlike "login without a terminal: no countdown" "$LOGIN_OUT" 'left '

is "cache directory is 0700" "$(mode "$CACHE")" 700
F=$(login_file)
ok "a login file in the cache" test -n "$F"
is "login file is 0600" "$(mode "$F")" 600
RT=$(cache_get refresh_token)
ok "the login file holds a refresh token" test -n "$RT"
unlike "login output never shows the refresh token" "$LOGIN_OUT" "$RT"
like "login file lists the audiences" "$(cache_get audiences)" 'sudo://host1,ssh://host1,ssh://host2'

# ---- per-host tokens -----------------------------------------------------

th_verify_conf "$T/conf/host1.conf" ssh://host1
th_verify_conf "$T/conf/host2.conf" ssh://host2

hx token --audience ssh://host1
rc_is "token --audience ssh://host1: exit 0" $X_OK
TOK1=$OUT
is "token for host1 carries aud ssh://host1" "$(claim "$TOK1" aud)" "ssh://host1"
is "token for host1 is alice's" "$(claim "$TOK1" sub)" "alice"
unlike "token: stderr quiet" "$ERR" "$RT"
vf "$T/conf/host1.conf" "$TOK1" --user alice
vf_accepted "pam-jwt verify accepts host1's token for host1"
vf "$T/conf/host2.conf" "$TOK1" --user alice
vf_refused_like "pam-jwt verify refuses host1's token for host2 (audience)" '^reason: audience'

hx token --audience ssh://host2
rc_is "token --audience ssh://host2: exit 0" $X_OK
TOK2=$OUT
is "token for host2 carries aud ssh://host2" "$(claim "$TOK2" aud)" "ssh://host2"
vf "$T/conf/host2.conf" "$TOK2" --user alice
vf_accepted "pam-jwt verify accepts host2's token for host2"
vf "$T/conf/host1.conf" "$TOK2" --user alice
vf_refused_like "pam-jwt verify refuses host2's token for host1" '^reason: audience'
ok "each host gets its own token" test "$TOK1" != "$TOK2"
ok "getting host2's token rotated the refresh token" test "$(cache_get refresh_token)" != "$RT"

hx token --audience sudo://host1 --json
rc_is "token --json: exit 0" $X_OK
is "token --json: audience" "$(printf '%s' "$OUT" | node -e 'process.stdout.write(JSON.parse(require("fs").readFileSync(0,"utf8")).audience)')" "sudo://host1"
like "token --json: expires_in" "$OUT" '"expires_in":(59[0-9]|600)'

ac_reset
hx token --audience ssh://host1
same "a cached token that is still valid is reused" "$OUT" "$TOK1"
is "no request to the auth center for a cached token" "$(ac_token_count)" 0

hx token --audience ssh://host9
rc_is "an audience the login does not cover: exit 3" $X_LOGIN
like "an audience not covered: says how to add it" "$ERR" 'does not cover audience ssh://host9.*pam-jwt login --audience ssh://host9'
is "an audience not covered is never asked for (the auth center would burn the login)" \
	"$(ac_token_count)" 0

hx token --audience host1
rc_is "a bare host name as audience: exit 3 (not covered)" $X_LOGIN

# ---- status ----------------------------------------------------------------

hx status
rc_is "status: exit 0 when logged in" $X_OK
like "status: names the issuer" "$OUT" "^login: $ISS \\(client pam-jwt-cli\\)"
like "status: says the claims are not verified" "$OUT" 'WITHOUT verifying'
like "status: shows who (sub)" "$OUT" 'sub: alice'
like "status: shows groups" "$OUT" 'groups: admins, devs'
like "status: a refresh token is kept" "$OUT" 'refresh token: kept in'
like "status: lists cached tokens with their lifetime" "$OUT" 'ssh://host1 +valid for [0-9]+m'
unlike "status never shows the refresh token" "$OUT" "$(cache_get refresh_token)"
unlike "status never shows an access token" "$OUT" "$TOK1"

hx status --json
rc_is "status --json: exit 0" $X_OK
is "status --json: claims flagged as unverified" \
	"$(printf '%s' "$OUT" | node -e 'const s=JSON.parse(require("fs").readFileSync(0,"utf8")); process.stdout.write(String(s.logins[0].claims_verified)+" "+s.logins[0].claims.sub+" "+s.logins[0].refresh_token)')" \
	"false alice true"
unlike "status --json never shows the refresh token" "$OUT" "$(cache_get refresh_token)"

# ---- arguments: one loop for every command's common options ----------------

for cmd in status logout; do
	hx $cmd --bogus
	rc_is "$cmd --bogus: usage error" $X_USAGE
	like "$cmd --bogus: names the argument" "$ERR" 'unexpected argument "--bogus"'
	hx $cmd --issuer
	rc_is "$cmd --issuer without a value: usage error" $X_USAGE
	like "$cmd --issuer without a value: says so" "$ERR" '--issuer needs a value'
	hx $cmd --bogus --help
	rc_is "$cmd --help after a bad argument: still the help, exit 0" $X_OK
	like "$cmd --help: prints the usage" "$OUT" "pam-jwt $cmd"
done
hx status --json --json
rc_is "status --json twice: fine" $X_OK

# ---- login again: keeps the audiences, machine-readable ---------------------

th_login bob --json --no-qr
is "login --json: exits 0" "$LOGIN_RC" 0
like "login --json: device_authorization event" "$LOGIN_OUT" '"event":"device_authorization"'
like "login --json: logged_in event" "$LOGIN_OUT" '^\{.*"sub":"bob".*"event":"logged_in"'
is "login --json: every line on stdout is a JSON object" \
	"$(printf '%s\n' "$LOGIN_OUT" | grep -v '^{')" ""
like "a new login keeps the audiences of the previous one" "$LOGIN_OUT" '"audiences":\["ssh://host1","ssh://host2","sudo://host1"\]'
hx token --audience ssh://host1
is "after bob's login, tokens are bob's" "$(claim "$OUT" sub)" "bob"

# ---- slow_down, expired_token, hostile error texts (a scripted server) ---------

# fake_login MODE: start tests/helper/fake_as.mjs in MODE and log in there;
# sets LOGIN_RC, LOGIN_OUT, POLLS (the poll times in ms and answers).
fake_login() {
	local d=$T/fake-$1 pid i
	mkdir -p "$d"
	cp "$ACDIR/server.pem" "$ACDIR/server.key" "$d/"
	node "$top_srcdir/tests/helper/fake_as.mjs" "$d" "$1" >"$d/log" 2>&1 &
	pid=$!
	TH_PIDS+=("$pid")
	for ((i = 0; i < 100; i++)); do
		[ -s "$d/fake.port" ] && break
		sleep 0.05
	done
	"$CLI" login --no-qr --issuer "https://127.0.0.1:$(cat "$d/fake.port")" \
		--cache-dir "$T/fake-cache" >"$T/fake.out" 2>&1
	LOGIN_RC=$?
	LOGIN_OUT=$(cat "$T/fake.out")
	POLLS=$(cat "$d/fake.polls" 2>/dev/null)
	kill -TERM "$pid" 2>/dev/null
}

fake_login slowdown
is "slow_down then expired_token: exit 1" "$LOGIN_RC" 1
like "expired_token: says the code expired and to log in again" "$LOGIN_OUT" \
	'code expired before the login was approved: run pam-jwt login again'
gap=$(printf '%s\n' "$POLLS" | awk 'NR==1{a=$1} NR==2{print $1-a}')
ok "the first poll waits the interval the server asked for (1 s)" test -n "$POLLS"
ok "after slow_down the interval grows by 5 s (next poll >= 6 s later, got ${gap:-?} ms)" \
	test "${gap:-0}" -ge 5900 -a "${gap:-0}" -lt 9000
ok "no login was stored" bash -c '! ls "$1"/login-*.json >/dev/null 2>&1' _ "$T/fake-cache"

fake_login hostile
is "an error answer: exit 1" "$LOGIN_RC" 1
like "an error answer: the auth center's words are shown" "$LOGIN_OUT" 'refused the login \(server_error'
unlike "an error answer: no escape character reaches the terminal" "$LOGIN_OUT" $'\x1b'
unlike "an error answer: no bell character reaches the terminal" "$LOGIN_OUT" $'\x07'

# ---- on a terminal: QR code and countdown -------------------------------------

if command -v script >/dev/null 2>&1; then
	rm -f "$T/tty.out"
	script -qfec "$CLI login --audience ssh://host1" "$T/tty.out" >/dev/null 2>&1 </dev/null &
	pid=$!
	TH_PIDS+=("$pid")
	code=''
	for ((i = 0; i < 100; i++)); do
		code=$(sed -n 's/.*enter the code: *\([A-Z0-9-]*\).*/\1/p' "$T/tty.out" 2>/dev/null | head -n 1)
		[ -n "$code" ] && break
		sleep 0.1
	done
	sleep 1.5
	[ -n "$code" ] && "$AC" device-approve "$ACDIR" "$code" carol >/dev/null 2>&1
	for ((i = 0; i < 300; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
	wait "$pid"
	is "login on a terminal: exits 0" "$?" 0
	ok "login on a terminal: draws a QR code with half blocks" \
		grep -qF $'\xe2\x96\x84' "$T/tty.out"
	like "login on a terminal: shows a countdown" "$(cat "$T/tty.out")" 'Waiting for approval\.\.\. [0-9]+:[0-9]{2} left'
else
	ok "# SKIP script(1) not installed" true
fi

done_testing
