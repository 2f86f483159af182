#!/bin/bash
# pam-jwt askpass: which prompts it answers and with what.  Prompt parsing
# (--explain, no network), then real answers against the test auth
# center: ssh keyboard-interactive prompts, sudo's prompts (only when
# sudo is the parent process: `via sudo` runs askpass under a process of
# that name), prompts whose host the client does not vouch for (refused),
# long tokens in parts (1022/510 characters + '\') that join back to the
# same token even when the cache changes meanwhile, sessions that do not
# mix, the real module accepting the parts (pamtester), and prompts that
# must never be answered (exit 6, empty stdout).
set -u
. "${top_srcdir:?}/tests/helper/common.sh"
th_require
th_setup
ACDIR=$T/ac
th_start_ac "$ACDIR"
HOST=$(hostname)
th_client_conf "audiences = ssh://host1 ssh://host2 sudo://$HOST sudo://host1"

# ex PROMPT: pam-jwt askpass --explain PROMPT; sets RC and EX (the
# "key: value" lines on one line, "kind=... service=..." form).
ex() {
	hx askpass --explain "$@"
	EX=$(printf '%s\n' "$OUT" | sed -n 's/^\([a-z ]*\): \(.*\)$/\1=\2/p' | grep -v '^session=' |
		grep -v '^why=' | tr '\n' ' ')
	EX=${EX% }
}

# ---- prompt parsing -----------------------------------------------------

ex "(alice@host1) Token: "
is "ssh keyboard-interactive prompt" "$EX" \
	"kind=token service=ssh user=alice host=host1 audience=ssh://host1 part size=1022"
ex "(alice@host1.example.com) Token (part 3): "
is "ssh keyboard-interactive part prompt" "$EX" \
	"kind=part service=ssh user=alice host=host1.example.com part=3 audience=ssh://host1.example.com part size=1022"
ex "alice@host1's password: "
is "a host named without the (user@host) prefix (a server's text to OpenSSH < 8.4): exit 6" "$RC" $X_PROMPT
like "... says why and that OpenSSH >= 8.4 is needed" "$OUT" \
	'^why: .*without the "\(user@host\) " prefix of OpenSSH >= 8.4.*use keyboard-interactive'
HX_VIA=ssh ex "alice@host1's password: "
is "... from ssh too (its password method looks the same): exit 6" "$RC" $X_PROMPT
HX_VIA=ssh ex "Token: "
is "the module's prompt from ssh without the (user@host) prefix (OpenSSH < 8.4): exit 6" "$RC" $X_PROMPT
like "... says OpenSSH >= 8.4 is needed" "$OUT" '^why: .*without the "\(user@host\) " prefix.*OpenSSH 8.4 or later'
ex "(alice@corp.example@host2) Token: "
is "a user name with @: the host is after the last @" "$EX" \
	"kind=token service=ssh user=alice@corp.example host=host2 audience=ssh://host2 part size=1022"
ex $'(alice@host1) Welcome to host1.\nUse your token.\nToken: '
is "info lines before the prompt are skipped" "$EX" \
	"kind=token service=ssh user=alice host=host1 audience=ssh://host1 part size=1022"
ex "(alice@::1) Token: "
is "an IPv6 host" "$EX" "kind=token service=ssh user=alice host=::1 audience=ssh://::1 part size=1022"
HX_VIA=sudo ex "[sudo] password for alice: "
is "sudo's own prompt: this machine" "$EX" \
	"kind=password service=sudo user=alice host=$HOST audience=sudo://$HOST part size=510"
HX_VIA=ssh ex "[sudo] password for alice: "
is "a sudo prompt from ssh (a server's text): exit 6" "$RC" $X_PROMPT
like "... says the asking process is not sudo" "$OUT" '^why: .*a sudo prompt, but the asking process is ssh, not sudo'
ex "[sudo] password for alice: "
is "a sudo prompt from a shell: exit 6" "$RC" $X_PROMPT
PAM_JWT_CLI_ASKPASS_SERVICE=sudo ex "Token: "
is "PAM_JWT_CLI_ASKPASS_SERVICE=sudo does not make a shell sudo: exit 6" "$RC" $X_PROMPT
ex "Token: "
is "the module's prompt from neither ssh nor sudo: exit 6" "$RC" $X_PROMPT
like "... says to set PAM_JWT_CLI_ASKPASS_SERVICE and _HOST" "$OUT" '^why: .*neither ssh nor sudo: set PAM_JWT_CLI_ASKPASS_SERVICE'
HX_VIA=sudo ex "Token: "
is "the module's prompt through sudo -A: this machine" "$EX" \
	"kind=token service=sudo user=$(id -un) host=$HOST audience=sudo://$HOST part size=510"
HX_VIA=sudo ex "Token (part 2): "
is "a part prompt through sudo -A" "$EX" \
	"kind=part service=sudo user=$(id -un) host=$HOST part=2 audience=sudo://$HOST part size=510"
PAM_JWT_CLI_ASKPASS_SERVICE=ssh PAM_JWT_CLI_ASKPASS_HOST=host2 ex "Token: "
is "PAM_JWT_CLI_ASKPASS_SERVICE/HOST for a prompt that does not tell" "$EX" \
	"kind=token service=ssh user=$(id -un) host=host2 audience=ssh://host2 part size=1022"
PAM_JWT_CLI_PROMPT="JWT: " ex "(alice@host1) JWT (part 2): "
is "another module prompt (prompt setting)" "$EX" \
	"kind=part service=ssh user=alice host=host1 part=2 audience=ssh://host1 part size=1022"
PAM_JWT_CLI_AUDIENCE_SSH="urn:pam_jwt:%u@%h" ex "(alice@host1) Token: "
is "audience template with %u and %h" "$EX" \
	"kind=token service=ssh user=alice host=host1 audience=urn:pam_jwt:alice@host1 part size=1022"
PAM_JWT_CLI_AUDIENCE_SSH="ssh://%x" ex "(alice@host1) Token: "
is "an unknown template sequence: exit 2" "$RC" $X_USAGE

for p in "Are you sure you want to continue connecting (yes/no/[fingerprint])? " \
	"Enter passphrase for key '/home/alice/.ssh/id_ed25519': " \
	"(alice@host1) Password: " \
	"Enter PIN for ECDSA-SK key /home/alice/.ssh/id_ecdsa_sk: " \
	"Enter alice@host1's old password: " \
	"Token (part 1): " "Token (part 65): " "Token (part 2): x" "Token (part two): " \
	"(alice@host1) Verification code: " "" "Password: " "password: " "Token"; do
	ex "$p"
	is "not understood, exit 6: \"${p//$'\n'/ }\"" "$RC" $X_PROMPT
done
hx askpass
rc_is "no prompt argument: exit 6" $X_PROMPT
is "no prompt argument: empty stdout" "$OUT" ""

# ---- never answered, even when logged in ---------------------------------

th_login alice
is "login: exit 0" "$LOGIN_RC" 0

hx askpass "Are you sure you want to continue connecting (yes/no/[fingerprint])? "
rc_is "host key confirmation: exit 6" $X_PROMPT
is "host key confirmation: nothing on stdout" "$OUT" ""
hx askpass "Enter passphrase for key '/home/alice/.ssh/id_ed25519': "
rc_is "key passphrase: exit 6" $X_PROMPT
is "key passphrase: nothing on stdout" "$OUT" ""
SSH_ASKPASS_PROMPT=confirm hx askpass "(alice@host1) Token: "
rc_is "SSH_ASKPASS_PROMPT=confirm: exit 6, even for a token prompt" $X_PROMPT
is "SSH_ASKPASS_PROMPT=confirm: nothing on stdout" "$OUT" ""
SSH_ASKPASS_PROMPT=none hx askpass "Token: "
rc_is "SSH_ASKPASS_PROMPT=none: exit 6" $X_PROMPT

# ---- short tokens: one answer ---------------------------------------------

th_verify_conf "$T/conf/host1.conf" ssh://host1
th_verify_conf "$T/conf/sudo.conf" "sudo://$HOST"

hx askpass "(alice@host1) Token: "
rc_is "ssh token prompt: exit 0" $X_OK
SHORT=$OUT
is "ssh token prompt: the token for ssh://host1" "$(claim "$SHORT" aud)" "ssh://host1"
ok "ssh token prompt: a short token in one answer (no backslash)" test "${SHORT: -1}" != '\'
vf "$T/conf/host1.conf" "$SHORT" --user alice
vf_accepted "the answer is accepted by host1"
hx askpass "(alice@host1) Token: "
rc_is "ssh token prompt again: exit 0" $X_OK
ok "each answer is a fresh token (a host with replay protection takes a token once)" \
	test -n "$OUT" -a "$OUT" != "$SHORT"
vf "$T/conf/host1.conf" "$OUT" --user alice
vf_accepted "the second answer is accepted by host1 too"
SECOND=$OUT
hx token --audience ssh://host1
ok "pam-jwt token never hands out a token askpass gave to a host" \
	test "$OUT" != "$SHORT" -a "$OUT" != "$SECOND"
hx askpass "(alice@host1) Token: "
hx status
like "status marks the token askpass gave out" "$OUT" 'ssh://host1 +valid for .*given to a host by askpass'

hx askpass "alice@host1's password: "
rc_is "a host named without the (user@host) prefix, logged in: exit 6" $X_PROMPT
is "... nothing on stdout" "$OUT" ""
like "... says OpenSSH >= 8.4 is needed" "$ERR" 'OpenSSH >= 8.4'
HX_VIA=ssh hx askpass "[sudo] password for alice: "
rc_is "a sudo prompt from ssh, logged in: exit 6" $X_PROMPT
is "... nothing on stdout" "$OUT" ""
PAM_JWT_CLI_ASKPASS_SESSION=sudoprompt HX_VIA=sudo hx askpass "[sudo] password for alice: "
rc_is "a sudo prompt from sudo: exit 0" $X_OK
ok "... the first part of a token (510 characters and '\\')" test "${#OUT}" -eq 511 -a "${OUT: -1}" = '\'
rm -f "$CACHE/askpass-sudoprompt.json"

hx askpass "(alice@host3) Token: "
rc_is "a host the login does not cover: exit 3" $X_LOGIN
is "a host the login does not cover: nothing on stdout" "$OUT" ""
like "a host the login does not cover: says how to fix it" "$ERR" 'pam-jwt login --audience ssh://host3'

# ---- long tokens: parts ------------------------------------------------------

# many groups make alice's tokens long (the auth center reads DIR/users.json
# on every token)
node -e '
	const g = Array.from({ length: 60 }, (_, i) => `group-with-a-long-name-${i}`);
	require("fs").writeFileSync(process.argv[1], JSON.stringify({ alice: { groups: g } }));' \
	"$ACDIR/users.json"

# answer_all PREFIX: answer "PREFIXToken: " then the part prompts until
# an answer without '\'; sets PARTS (count), JOINED, MAXLEN and ANS_RC
# (the first failure; 99 when it never ends).
answer_all() {
	local pre=$1 n=1 a prompt
	PARTS=0 JOINED='' MAXLEN=0 ANS_RC=0
	prompt="${pre}Token: "
	while :; do
		# no redirection inside $(...): bash then runs askpass as its
		# direct child, as ssh and sudo do (the session is the parent);
		# under sudo (ASK_VIA=sudo) one parent per part: a named session
		if [ -n "${ASK_VIA:-}" ]; then
			a=$(PAM_JWT_CLI_ASKPASS_SESSION=$ASK_VIA$$ via "$ASK_VIA" "$CLI" askpass "$prompt")
		else
			a=$("$CLI" askpass "$prompt")
		fi
		ANS_RC=$?
		[ "$ANS_RC" -eq 0 ] || return
		PARTS=$n
		[ "${#a}" -gt "$MAXLEN" ] && MAXLEN=${#a}
		if [ "${a: -1}" = '\' ]; then
			JOINED+=${a%\\}
			n=$((n + 1))
			prompt="${pre}Token (part $n): "
			[ "$n" -le 10 ] || { ANS_RC=99; return; }
			[ -n "${AFTER_FIRST:-}" ] && [ "$n" -eq 2 ] && eval "$AFTER_FIRST"
		else
			JOINED+=$a
			return
		fi
	done
}

answer_all "(alice@host1) " 2>"$T/ans.err"
is "ssh, long token: every answer given" "$ANS_RC" 0
ok "ssh, long token: in 3 parts (1022 + 1022 + rest)" test "$PARTS" -eq 3
is "ssh, long token: the longest answer is 1022 characters + '\\'" "$MAXLEN" 1023
is "ssh, long token: the parts join to a token for ssh://host1" "$(claim "$JOINED" aud)" "ssh://host1"
ok "ssh, long token: it is over 2 KiB" test "${#JOINED}" -gt 2044
vf "$T/conf/host1.conf" "$JOINED" --user alice
vf_accepted "ssh, long token: the joined token is accepted by host1"
ok "ssh: the session file is removed after the last part" bash -c '! ls "$1"/askpass-* >/dev/null 2>&1' _ "$CACHE"
hx askpass "(alice@host1) Token (part 2): "
rc_is "a part prompt after the last part: exit 6" $X_PROMPT
is "a part prompt after the last part: nothing on stdout" "$OUT" ""

ASK_VIA=sudo answer_all "" 2>"$T/ans.err"
is "sudo, long token: every answer given" "$ANS_RC" 0
ok "sudo, long token: in 5 or more parts" test "$PARTS" -ge 5
is "sudo, long token: the longest answer is 510 characters + '\\' (< 512 bytes)" "$MAXLEN" 511
is "sudo, long token: the parts join to a token for sudo://$HOST" "$(claim "$JOINED" aud)" "sudo://$HOST"
vf "$T/conf/sudo.conf" "$JOINED" --user alice
vf_accepted "sudo, long token: the joined token is accepted"

# the cache changes between the parts: the parts still come from one token
AFTER_FIRST='ls "$CACHE"/askpass-*.json >"$T/state.ls" 2>/dev/null; stat -c %a "$(head -n 1 "$T/state.ls")" >"$T/state.mode"; "$CLI" token --audience ssh://host1 --min-valid 9999 >"$T/between" 2>/dev/null'
answer_all "(alice@host1) " 2>"$T/ans.err"
AFTER_FIRST=
is "a refresh between the parts: every answer given" "$ANS_RC" 0
is "a refresh between the parts: the session file is 0600" "$(cat "$T/state.mode")" 600
ok "a refresh between the parts: the cache now holds another token" test "$(cat "$T/between")" != "$JOINED"
vf "$T/conf/host1.conf" "$JOINED" --user alice
vf_accepted "a refresh between the parts: the parts still join to one valid token"

# two sessions at once (two asking processes) do not mix their parts
cat >"$T/session.sh" <<-'EOF'
	# $1: prompt prefix, $2: output file, $3: go file
	p1=$("$CLI" askpass "$1Token: ")
	while [ ! -e "$3" ]; do sleep 0.05; done
	p2=$("$CLI" askpass "$1Token (part 2): ")
	p3=$("$CLI" askpass "$1Token (part 3): ")
	printf '%s\n' "${p1%\\}${p2%\\}$p3" >"$2"
EOF
CLI=$CLI bash "$T/session.sh" "(alice@host1) " "$T/sessA" "$T/goA" &
pa=$!
CLI=$CLI bash "$T/session.sh" "(alice@host2) " "$T/sessB" "$T/goB" &
pb=$!
TH_PIDS+=("$pa" "$pb")
sleep 3
touch "$T/goB"
wait "$pb"
touch "$T/goA"
wait "$pa"
is "session A (host1) gets its own token back" "$(claim "$(cat "$T/sessA")" aud)" "ssh://host1"
is "session B (host2) gets its own token back" "$(claim "$(cat "$T/sessB")" aud)" "ssh://host2"
vf "$T/conf/host1.conf" "$(cat "$T/sessA")" --user alice
vf_accepted "session A's joined token is valid for host1"

# ---- the real module accepts the parts (pamtester, pam_wrapper) ---------------

PAM_WRAPPER_LIB=$(pkg-config --libs pam_wrapper 2>/dev/null | awk '{print $1}')
MODULE=$top_builddir/pam_jwt/.libs/pam_jwt.so
if command -v pamtester >/dev/null 2>&1 && [ -f "$PAM_WRAPPER_LIB" ] && [ -f "$MODULE" ]; then
	mkdir -p "$T/pam.d"
	echo "auth required $MODULE config=$T/conf/host1.conf" >"$T/pam.d/helper-ssh"
	echo "auth required $MODULE config=$T/conf/sudo.conf" >"$T/pam.d/helper-sudo"
	echo "auth required pam_deny.so" >"$T/pam.d/other"
	chmod 644 "$T/pam.d"/*
	for svc in ssh sudo; do
		pre=''
		[ "$svc" = ssh ] && pre='(alice@host1) '
		answers=()
		n=1
		prompt="${pre}Token: "
		ask=()
		[ "$svc" = sudo ] && ask=(env PAM_JWT_CLI_ASKPASS_SESSION=pamtester$$ "$T/via/sudo" -c
			'"$@"; exit $?' sudo)
		while a=$("${ask[@]}" "$CLI" askpass "$prompt"); do
			answers+=("$a")
			[ "${a: -1}" = '\' ] || break
			n=$((n + 1))
			prompt="${pre}Token (part $n): "
		done 2>"$T/ans.err"
		out=$(printf '%s\n' "${answers[@]}" | env LD_PRELOAD="$PAM_WRAPPER_LIB $TH_NSS_WRAPPER" \
			PAM_WRAPPER=1 PAM_WRAPPER_SERVICE_DIR="$T/pam.d" NSS_WRAPPER_PASSWD="$T/passwd" \
			NSS_WRAPPER_GROUP="$T/group" pamtester -v "helper-$svc" alice authenticate 2>&1)
		like "$svc: pam_jwt.so accepts the ${#answers[@]} answers of askpass as one token" \
			"$out" 'successfully authenticated'
		like "$svc: the module asked for the parts as askpass expects" "$out" "Token \\(part ${#answers[@]}\\): "
	done
else
	ok "# SKIP pamtester, pam_wrapper or the module missing" true
fi

# ---- as ssh runs it: a link named pam-jwt-askpass, the prompt as argv[1] ------

ln -s "$CLI" "$T/pam-jwt-askpass"
out=$("$T/pam-jwt-askpass" "(alice@host1) Token: " 2>"$T/link.err")
ok "a link named pam-jwt-askpass answers like pam-jwt askpass (a first part)" \
	test "${out:0:3}" = eyJ -a "${out: -1}" = '\' -a "${#out}" -eq 1023
if command -v ssh-keygen >/dev/null 2>&1 && command -v setsid >/dev/null 2>&1; then
	ssh-keygen -q -t ed25519 -N 'key-passphrase' -C test -f "$T/enc_key" >/dev/null 2>&1
	SSH_ASKPASS=$T/pam-jwt-askpass SSH_ASKPASS_REQUIRE=force DISPLAY='' \
		setsid -w ssh-keygen -y -f "$T/enc_key" </dev/null >"$T/kg.out" 2>"$T/kg.err"
	kg=$?
	ok "ssh-keygen asking for a key passphrase through it gets no answer" test "$kg" -ne 0
	like "... because askpass refused that prompt" "$(cat "$T/kg.err")" 'pam-jwt askpass: not answering \(a key passphrase prompt\)'
	is "... and ssh-keygen printed no key" "$(cat "$T/kg.out")" ""
else
	ok "# SKIP ssh-keygen or setsid not installed" true
fi

# ---- no login ----------------------------------------------------------------

XDG_CACHE_HOME=$T/empty hx askpass "(alice@host1) Token: "
rc_is "not logged in: exit 3" $X_LOGIN
is "not logged in: nothing on stdout" "$OUT" ""
like "not logged in: says to run pam-jwt login" "$ERR" 'run pam-jwt login'

done_testing
