#!/bin/bash
# The device flow inside the PAM conversation, through pamdrive (real
# libpam, the module's own fetch helper, the test auth center): an empty
# answer starts it, ONE info message shows the URL and the code on lines
# of their own, the test approves with ac.sh device-approve, and the
# token the auth center issued passes the same validation as a typed one.
# At a terminal (PAM_TTY tty1) the message goes on with a QR code that a
# phone reads (decoded with zbarimg); with a greeter's PAM_TTY (:0) or
# none, no drawing, and libqrencode never enters the process.
# Then every way it can end otherwise, each with its logged reason and
# PAM code: denied, slow_down (+5 s) then an expired code, the auth center
# down, a signal mid-poll, the conversation failing mid-poll (echo-off
# prompt mode), the configured cap; another person's approval; the option
# refused in the configuration file.  Last, the session's token cache for
# onward sign-on: written as the user, exported, used by `pam-jwt token`
# for another host, removed when the session closes.
set -u
. "$top_srcdir/tests/integration/common.sh"
pj_require_built
pj_require_drive
command -v curl >/dev/null 2>&1 || skip_all "curl is not installed"
command -v node >/dev/null 2>&1 || skip_all "node is not installed"
command -v setpriv >/dev/null 2>&1 || skip_all "setpriv is not installed"
[ -d "$top_srcdir/tests/authcenter/node_modules/oidc-provider" ] ||
	skip_all "tests/authcenter/node_modules missing (npm ci there)"
[ "$(id -u)" -eq 0 ] || skip_all "needs root (root-owned key cache, files written as the user)"
pj_setup
AC=$top_srcdir/tests/authcenter/ac.sh
ACDIR=$T/ac
PIDS=()
cleanup() {
	local p
	for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null; done
	for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
	"$AC" stop "$ACDIR" >/dev/null 2>&1
	rm -rf "$T"
}
trap cleanup EXIT
mkdir -p "$ACDIR"
ISS=$("$AC" start "$ACDIR" 2>"$T/ac.err") || { echo "Bail out! ac.sh start: $(cat "$T/ac.err")"; exit 1; }
# alice (uid 1001) must reach her runtime directory and the CA below $T
chmod 711 "$T" "$ACDIR"
AUD=ssh://host1
PAM_CONV_ERR=19
mkdir -p "$T/keys" && chmod 700 "$T/keys"

# devconf NAME ISSUER LINE...: a pam_jwt.conf for the auth center ISSUER.
devconf() {
	local f=$T/conf/$1.conf iss=$2 l
	shift 2
	{
		echo "issuer = $iss"
		echo "audience = $AUD"
		echo "ca_file = $ACDIR/ca.pem"
		echo "cache_dir = $T/keys"
		echo "fetch_helper = $top_builddir/pam_jwt/pam_jwt-fetch"
		echo "http_timeout = 5"
		echo "client_id = pam-jwt-cli"
		for l in "$@"; do echo "$l"; done
	} >"$f"
	chmod 600 "$f"
	echo "$f"
}

C=$(devconf main "$ISS" "sso_audiences = ssh://host2")
# devservice NAME CONF ARG...: auth with ARG, account and session lines.
devservice() {
	local name=$1 c=$2
	shift 2
	service "$name" "auth required $PJ_MODULE config=$c $*" \
		"account required $PJ_MODULE config=$c" \
		"session required $PJ_MODULE config=$c"
}
devservice dev "$C" device_flow
devservice devp "$C" device_flow device_in_prompt
devservice nodev "$C"

# bg_drive SERVICE USER [pamdrive options] -- ANSWER...: pamdrive in the
# background; its output grows in $T/dr.out; BG is its PID.
bg_drive() {
	local svc=$1 user=$2 f=$T/in/answers
	local -a opts=()
	shift 2
	while [ $# -gt 0 ] && [ "$1" != -- ]; do opts+=("$1"); shift; done
	shift
	: >"$f"
	for a in "$@"; do printf '%s\n' "$a" >>"$f"; done
	: >"$T/dr.out"
	env LD_PRELOAD="$PJ_NSS_WRAPPER" NSS_WRAPPER_PASSWD="$T/passwd" \
		NSS_WRAPPER_GROUP="$T/group" PAMDRIVE_LOG="$PJ_LOG" \
		"$PJ_DRIVE" -D "$PJ_SVC" -s "$svc" -u "$user" "${opts[@]}" -f "$f" >"$T/dr.out" 2>&1 &
	BG=$!
	PIDS+=("$BG")
}

# wait_code: the user code pamdrive shows (info "Code: X" or the prompt
# "... with code X, ..."), waiting up to 15 s; sets CODE.
wait_code() {
	local i
	CODE=''
	for ((i = 0; i < 150; i++)); do
		CODE=$(sed -n 's/^Code: \([A-Z0-9-]*\)$/\1/p; s/.* with code \([A-Z0-9-]*\), then press Enter.*/\1/p' \
			"$T/dr.out" | head -n 1)
		[ -n "$CODE" ] && return 0
		kill -0 "$BG" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

# bg_wait: wait for pamdrive (at most 60 s); sets DR_OUT, DR_RC.
bg_wait() {
	local i
	for ((i = 0; i < 600; i++)); do
		kill -0 "$BG" 2>/dev/null || break
		sleep 0.1
	done
	kill -0 "$BG" 2>/dev/null && kill -TERM "$BG"
	wait "$BG"
	DR_RC=$?
	DR_OUT=$(cat "$T/dr.out")
}

approve() {
	"$AC" device-approve "$ACDIR" "$1" "$2" >"$T/approve.out" 2>&1 ||
		diag "device-approve failed: $(cat "$T/approve.out")"
}

# deny CODE: the person presses Abort on the verification page.
deny() {
	"$AC" device-deny "$ACDIR" "$1" >"$T/approve.out" 2>&1 ||
		diag "device-deny failed: $(cat "$T/approve.out")"
}

info_count() { printf '%s\n' "$DR_OUT" | grep -c '^info: '; }

# ---- sign in: the info message, approval, the same validation ----------------

log_mark
bg_drive dev alice -- ""
wait_code || diag "no code shown: $(cat "$T/dr.out")"
approve "$CODE" alice
bg_wait
dr_is "device flow: an empty answer, approval as alice: PAM_SUCCESS for alice" 0
is "device flow: exactly one info message" "$(info_count)" 1
like "device flow: the info message has the verification URL on a line of its own" \
	"$DR_OUT" "^Open: $ISS/device\$"
like "device flow: ... and the user code on a line of its own" "$DR_OUT" '^Code: [A-Z0-9]{4}-[A-Z0-9]{4}$'
is "device flow: one prompt only (the token prompt answered with nothing)" "$(dr_prompts)" "Token: "
log_has "device flow: the issued token went through validation and was accepted for alice" \
	"accepted token for user=\"alice\" alg=[A-Za-z0-9]+ iss=\"$ISS\" sub=\"alice\""

# ---- a QR code at a terminal only ---------------------------------------------

# qr_lines: the lines of the info message after "Or scan:" (the drawing).
qr_lines() { printf '%s\n' "$DR_OUT" | sed -n '/^Or scan:$/,/^[^ █▀▄]/p' | sed '1d; /^$/d; /^[^ █▀▄]/d'; }

# qr_decode: what a phone reads from the drawing (drawn as an image,
# decoded with zbarimg); empty when it reads nothing.
qr_decode() {
	qr_lines | python3 -c '
import sys
rows = []
for line in sys.stdin.read().split("\n"):
    if not line:
        continue
    top, bottom = [], []
    for c in line:
        top.append(c in "█▀")
        bottom.append(c in "█▄")
    rows += [top, bottom]
s = 8
w = len(rows[0])
out = ["P1", "%d %d" % (w * s, len(rows) * s)]
for r in rows:
    line = " ".join("0" if light else "1" for light in r for _ in range(s))
    out += [line] * s
print("\n".join(out))' >"$T/qr.pbm" 2>/dev/null && zbarimg -q --raw "$T/qr.pbm" 2>/dev/null
}

# tty_login TTY: alice signs in with PAM_TTY set to TTY (none when
# empty); QRLIB says whether libqrencode was mapped into the process
# while the code was shown.
tty_login() {
	bg_drive dev alice ${1:+-t "$1"} -- ""
	wait_code || diag "no code shown: $(cat "$T/dr.out")"
	QRLIB=no
	grep -q libqrencode "/proc/$BG/maps" 2>/dev/null && QRLIB=yes
	approve "$CODE" alice
	bg_wait
}

log_mark
tty_login tty1
dr_is "a terminal (PAM_TTY tty1): approval: PAM_SUCCESS" 0
is "a terminal: still exactly one info message" "$(info_count)" 1
is "a terminal: the info message offers a QR code after URL and code" \
	"$(printf '%s\n' "$DR_OUT" | grep -A1 '^Code: ' | sed 's/^Code: .*/Code: X/')" "Code: X
Or scan:"
is "a terminal: libqrencode was loaded for the drawing" "$QRLIB" yes
qw=$(qr_lines | sed 's/█/x/g; s/▀/x/g; s/▄/x/g' | awk '{ n = length($0) } NR == 1 { w = n } n != w { bad = 1 } END { if (!bad) print w }')
ok "a terminal: the drawing is a square QR symbol with its quiet zone ($(qr_lines | wc -l) lines of $qw)" \
	test -n "$qw" -a "$(((qw - 25) % 4))" = 0 -a "$(qr_lines | wc -l)" = "$(((qw + 1) / 2))"
if command -v zbarimg >/dev/null 2>&1; then
	is "a terminal: a phone reads the verification page with the code filled in" \
		"$(qr_decode)" "$ISS/device?user_code=$CODE"
else
	skip "a terminal: a phone reads the verification page" "zbarimg is not installed (zbar-tools)"
fi
log_has "a terminal: the token was accepted for alice" "accepted token for user=\"alice\""

# A greeter's PAM_TTY (an X display) and none at all: no drawing, and
# libqrencode never enters the process.
for tty in :0 ''; do
	tty_login "$tty"
	dr_is "PAM_TTY '$tty': approval: PAM_SUCCESS" 0
	ok "PAM_TTY '$tty': no QR code" test -z "$(printf '%s\n' "$DR_OUT" | grep -E 'Or scan|[█▀▄]')"
	is "PAM_TTY '$tty': libqrencode is not loaded into the process" "$QRLIB" no
done

log_mark
bg_drive dev alice -- ""
wait_code
approve "$CODE" bob
bg_wait
dr_is "another person approves (bob) for alice's login: PAM_AUTH_ERR" "$PAM_AUTH_ERR"
log_has "another person approves: refused as a token for another user" \
	'refused token for user="alice": user: '

# ---- the echo-off prompt mode (sshd, SDDM) ----------------------------------------

log_mark
bg_drive devp alice -- "" "" "" "" "" "" "" "" "" "" "" ""
wait_code || diag "no code shown: $(cat "$T/dr.out")"
approve "$CODE" alice
bg_wait
dr_is "echo-off prompt mode: approval: PAM_SUCCESS" 0
is "echo-off prompt mode: no info message" "$(info_count)" 0
like "echo-off prompt mode: the prompt holds URL and code" "$(dr_prompts)" \
	"^Approve at $ISS/device with code [A-Z0-9]{4}-[A-Z0-9]{4}, then press Enter: \$"

log_mark
bg_drive devp alice -- "" ""
wait_code
bg_wait
dr_is "echo-off prompt mode: the conversation fails mid-poll: PAM_CONV_ERR" "$PAM_CONV_ERR"
like "echo-off prompt mode: asked again while pending" "$(dr_prompts)" '^Not approved yet\. Approve at '
log_has "conversation fails mid-poll: logged as cancelled" \
	'device flow: cancelled: the conversation failed while waiting for approval'

# ---- denied, cancelled by a signal, the cap ------------------------------------

log_mark
bg_drive dev alice -- ""
wait_code
deny "$CODE"
bg_wait
dr_is "denied at the auth center: PAM_AUTH_ERR" "$PAM_AUTH_ERR"
log_has "denied: logged with the auth center's reason" 'device flow: denied at the auth center \(access_denied'

log_mark
bg_drive dev alice -i -S -- ""
wait_code
kill -USR1 "$BG"
bg_wait
dr_is "a signal mid-poll (the host's handler ran): PAM_AUTH_ERR" "$PAM_AUTH_ERR"
log_has "a signal mid-poll: logged as cancelled" 'device flow: cancelled: a signal interrupted the wait'

C2=$(devconf cap "$ISS" "device_max_wait = 10")
devservice devcap "$C2" device_flow
log_mark
t0=$SECONDS
bg_drive devcap alice -- ""
wait_code
bg_wait
dr_is "nobody approves, device_max_wait = 10: PAM_AUTH_ERR" "$PAM_AUTH_ERR"
log_has "the cap: logged" 'device flow: no approval within 10 s'
ok "the cap: gave up within 10 s plus one poll ($((SECONDS - t0)) s)" test $((SECONDS - t0)) -le 17

# ---- slow_down and an expired code (a scripted auth center) ----------------------

FD=$T/fake
mkdir -p "$FD"
cp "$ACDIR/server.pem" "$ACDIR/server.key" "$FD/"
node "$top_srcdir/tests/helper/fake_as.mjs" "$FD" slowdown >"$FD/log" 2>&1 &
PIDS+=("$!")
for ((i = 0; i < 100; i++)); do [ -s "$FD/fake.port" ] && break; sleep 0.05; done
C3=$(devconf fake "https://127.0.0.1:$(cat "$FD/fake.port")")
devservice devfake "$C3" device_flow
log_mark
bg_drive devfake alice -- ""
bg_wait
dr_is "slow_down then expired_token: PAM_AUTH_ERR" "$PAM_AUTH_ERR"
log_has "expired code: logged" 'device flow: the code expired before it was approved \(expired_token\)'
gap=$(awk 'NR==1{a=$1} NR==2{print $1-a}' "$FD/fake.polls" 2>/dev/null)
ok "slow_down: the next poll comes 5 s later than the interval (1 s): ${gap:-?} ms" \
	test "${gap:-0}" -ge 5900 -a "${gap:-0}" -lt 9000

# ---- the auth center down, the option in the file ------------------------------------

C4=$(devconf down "https://127.0.0.1:9")
devservice devdown "$C4" device_flow
log_mark
drive devdown alice ""
dr_is "auth center down: PAM_AUTHINFO_UNAVAIL" "$PAM_AUTHINFO_UNAVAIL"
log_has "auth center down: logged" 'device flow: cannot start: '
is "auth center down: no info message" "$(info_count)" 0

C5=$(devconf infile "$ISS" "device_flow = yes")
devservice devfile "$C5"
log_mark
drive devfile alice ""
dr_is "device_flow in pam_jwt.conf: a configuration error (PAM_AUTHINFO_UNAVAIL)" "$PAM_AUTHINFO_UNAVAIL"
log_has "device_flow in pam_jwt.conf: logged as argument-only" 'device_flow may only be a module argument'

log_mark
drive nodev alice ""
is "without device_flow an empty answer starts nothing (no info message)" "$(info_count)" 0
ok "without device_flow: not a success (PAM code $DR_RC)" test "$DR_RC" -ne 0

# ---- onward sign-on: the session's token cache -------------------------------------

# alice's runtime directory (what pam_systemd makes as /run/user/1001)
mkdir -p "$T/run/1001" "$T/run/1002"
chmod 711 "$T/run"
chown 1001:1001 "$T/run/1001"
chown 1002:1002 "$T/run/1002"
chmod 700 "$T/run/1001"
chmod 755 "$T/run/1002"
RUN=$T/run/1001
# What runs inside the session: where the cache is and how it looks, the
# session's environment, and `pam-jwt token` as alice for another host.
INSESSION="stat -c '%a %u %F' \"\$PAM_JWT_CLI_CACHE_DIR\" \"\$PAM_JWT_CLI_CACHE_DIR\"/login-*.json >$T/stat.out 2>&1;
env >$T/env.out;
setpriv --reuid=1001 --regid=1001 --clear-groups env HOME=/nonexistent $PJ_CLI token --audience ssh://host2 >$T/tok.out 2>$T/tok.err"

# sso_login [pamdrive options]: a device-flow login of alice approved by
# alice, with account and session phases running INSESSION.
sso_login() {
	rm -f "$T/stat.out" "$T/env.out" "$T/tok.out" "$T/tok.err"
	bg_drive dev alice -S "$@" -x "$INSESSION" -- ""
	wait_code || diag "no code shown: $(cat "$T/dr.out")"
	approve "$CODE" alice
	bg_wait
}

claim() {
	node -e 'const p = JSON.parse(Buffer.from(process.argv[1].split(".")[1] ?? "", "base64url").toString() || "{}");
		const v = p[process.argv[2]]; process.stdout.write(v === undefined ? "" : String(v));' "$1" "$2" 2>/dev/null
}

log_mark
sso_login -E "XDG_RUNTIME_DIR=$RUN"
dr_is "sso: login and session (setcred not called)" 0
is "sso: the command in the session ran (pam-jwt token exit 0)" "$(sed -n 's/^exec: //p' <<<"$DR_OUT")" 0
TOK=$(cat "$T/tok.out" 2>/dev/null)
[ -z "$TOK" ] || pj_secret "$TOK"
is "sso: pam-jwt token --audience ssh://host2 in the session, no second sign-in: aud" \
	"$(claim "$TOK" aud)" "ssh://host2"
is "sso: ... for alice" "$(claim "$TOK" sub)" alice
is "sso: the cache directory is 0700 and alice's, the login file 0600 and alice's" \
	"$(cat "$T/stat.out")" "700 1001 directory
600 1001 regular file"
ok "sso: the session's environment says where the cache is" \
	grep -qx "PAM_JWT_CLI_CACHE_DIR=$RUN/pam-jwt" "$T/env.out"
ok "sso: the tokens themselves are not in the session's environment" \
	bash -c '! grep -q "^PAM_JWT_SSO=" "$1"' _ "$T/env.out"
log_has "sso: logged where the tokens went" "session sign-on: tokens of user alice kept in $RUN/pam-jwt"
ok "sso: the last session closed: the login file is gone" \
	bash -c '! ls "$1"/login-*.json >/dev/null 2>&1' _ "$RUN/pam-jwt"

log_mark
sso_login -C -E "XDG_RUNTIME_DIR=$RUN"
dr_is "sso with setcred before the session: success" 0
is "sso with setcred first: pam-jwt token works in the session" "$(claim "$(cat "$T/tok.out")" aud)" "ssh://host2"
is "sso with setcred first: written once" "$(log_since | grep -c 'tokens of user alice kept')" 1

# Another live session of alice keeps the cache when this one closes; a
# marker of a session that is gone does not.
sleep 300 &
LIVE=$!
PIDS+=("$LIVE")
install -o 1001 -g 1001 -m 600 /dev/null "$RUN/pam-jwt/session-$LIVE"
sso_login -E "XDG_RUNTIME_DIR=$RUN"
ok "sso: another session of alice is open: the cache stays at close" \
	bash -c 'ls "$1"/login-*.json >/dev/null 2>&1' _ "$RUN/pam-jwt"
kill "$LIVE"
wait "$LIVE" 2>/dev/null
log_mark
sso_login -E "XDG_RUNTIME_DIR=$RUN"
ok "sso: the other session ended (stale marker): the cache goes at close" \
	bash -c '! ls "$1"/login-*.json "$1"/session-* >/dev/null 2>&1' _ "$RUN/pam-jwt"

# Attacks on where the cache is written.
rm -rf "$RUN/pam-jwt"
mkdir -p "$T/victim"
ln -s "$T/victim" "$RUN/pam-jwt"
chown -h 1001:1001 "$RUN/pam-jwt"
log_mark
sso_login -E "XDG_RUNTIME_DIR=$RUN"
dr_is "symlink planted as the cache directory: the login still succeeds" 0
is "symlink planted as the cache directory: nothing written through it" "$(ls -A "$T/victim")" ""
log_has "symlink planted as the cache directory: logged" 'session sign-on: no token cache: '
rm -f "$RUN/pam-jwt"

log_mark
sso_login -E "XDG_RUNTIME_DIR=$T/run/1002"
dr_is "XDG_RUNTIME_DIR naming bob's directory: the login still succeeds" 0
is "XDG_RUNTIME_DIR naming bob's directory: nothing written there" "$(ls -A "$T/run/1002")" ""
log_has "XDG_RUNTIME_DIR naming bob's directory: refused as not alice's own" \
	"runtime directory $T/run/1002 is not the user's own"

check_log_clean "nothing secret in the log"
done_testing
