#!/bin/bash
# pam-jwt login --browser: authorization code with PKCE (RFC 7636) and a
# loopback redirect (RFC 8252) against the test auth center, with a
# scripted browser (tests/helper/browser.sh) as xdg-open.  With a display
# the CLI opens the browser; without one it only prints the URL.  An answer
# on the port without this login's state is refused, and the port is
# closed after one answer.
set -u
. "${top_srcdir:?}/tests/helper/common.sh"
th_require
th_setup
ACDIR=$T/ac
th_start_ac "$ACDIR"
th_client_conf "audiences = ssh://host1"
th_verify_conf "$T/conf/host1.conf" ssh://host1
mkdir -p "$T/bin"
cp "$top_srcdir/tests/helper/browser.sh" "$T/bin/xdg-open"
export TH_BROWSER_CA=$ACDIR/ca.pem TH_BROWSER_LOG=$T/browser.log

# ---- with a display: xdg-open ----------------------------------------------------

TH_BROWSER_USER=alice DISPLAY=:99 PATH="$T/bin:$PATH" timeout 60 "$CLI" login --browser \
	>"$T/l.out" 2>"$T/l.err"
is "login --browser with a display: exit 0" "$?" 0
like "the browser was opened with the authorization URL (PKCE S256)" "$(cat "$T/browser.log")" \
	"^opened $ISS/auth\\?response_type=code&.*code_challenge_method=S256"
like "the loopback answer page says so" "$(cat "$T/browser.log")" 'answer: Logged in'
like "logged in as alice" "$(cat "$T/l.out")" "Logged in to $ISS as alice"
hx token --audience ssh://host1
rc_is "token after a browser login: exit 0" $X_OK
vf "$T/conf/host1.conf" "$OUT" --user alice
vf_accepted "the token from the browser login is accepted by the host"
PORT=$(sed -n 's/.*on 127.0.0.1:\([0-9]*\).*/\1/p' "$T/l.out")
ok "after one answer the port is closed" bash -c "! curl -s --max-time 2 http://127.0.0.1:$PORT/callback"

# ---- without a display: the URL is printed ----------------------------------------

rm -f "$T/browser.log"
env -u DISPLAY -u WAYLAND_DISPLAY PATH="$T/bin:$PATH" timeout 60 "$CLI" login --browser \
	>"$T/l2.out" 2>"$T/l2.err" &
pid=$!
TH_PIDS+=("$pid")
for ((i = 0; i < 100; i++)); do
	grep -q '^    https://' "$T/l2.out" && break
	sleep 0.1
done
ok "no display: xdg-open is not run" test ! -e "$T/browser.log"
url=$(sed -n 's/^    \(https:.*\)$/\1/p' "$T/l2.out")
TH_BROWSER_USER=bob "$top_srcdir/tests/helper/browser.sh" "$url"
wait "$pid"
is "no display, URL opened by hand: exit 0" "$?" 0
like "logged in as bob" "$(cat "$T/l2.out")" "Logged in to $ISS as bob"

# ---- an answer with another state ---------------------------------------------------

env -u DISPLAY PATH="$T/bin:$PATH" timeout 60 "$CLI" login --browser >"$T/l3.out" 2>"$T/l3.err" &
pid=$!
TH_PIDS+=("$pid")
for ((i = 0; i < 100; i++)); do
	grep -q 'Waiting for the browser' "$T/l3.out" && break
	sleep 0.1
done
PORT=$(sed -n 's/.*on 127.0.0.1:\([0-9]*\).*/\1/p' "$T/l3.out")
curl -s --max-time 5 "http://127.0.0.1:$PORT/callback?code=forged&state=forged" >"$T/forged.out"
wait "$pid"
is "attack: a forged answer on the login port (wrong state): login refused (exit 3)" "$?" 3
like "the refusal names the state" "$(cat "$T/l3.err")" 'state'
ok "attack: after the forged answer the port is closed" \
	bash -c "! curl -s --max-time 2 http://127.0.0.1:$PORT/callback"

done_testing
