#!/bin/bash
# A real sshd with pam_jwt as its only authentication: log in as the test
# user with a token from the test auth center as the password, through
# keyboard-interactive and through the password method, with the real
# OpenSSH client answering through SSH_ASKPASS.  Wrong tokens (tampered,
# another audience, another user, not a token) are refused, for the
# reason the module logs.  A token longer than OpenSSH's 1023-byte answer
# limit goes through keyboard-interactive in parts (chunked entry).
# Last, desktop sign-on over ssh: a client with no helper answers the
# prompt with nothing, sees the device flow's URL and code in an echo-off
# prompt, the test approves at the auth center, the session starts, and
# inside it `pam-jwt token` gets a token for another host from the
# session's token cache (written by sshd's session side from the PAM
# environment of its authenticating child) with no second sign-in.
#
# Runs in private namespaces (see common.sh); needs root.
set -u
. "$top_srcdir/tests/daemons/common.sh"
dm_enter sshd ssh ssh-keygen setsid
dm_setup
dm_ac_start

SVC=pj-sshd
AUD=ssh://pj-host
LOG=$T/log/sshd.log

# ---- the daemon ----------------------------------------------------------

dm_conf "$T/pam_jwt.conf" "audience = $AUD"
cat >"/etc/pam.d/$SVC" <<EOF
auth     required  $DM_MODULE config=$T/pam_jwt.conf session_env=sub,groups
account  required  $DM_MODULE config=$T/pam_jwt.conf
account  required  pam_permit.so
session  optional  $DM_MODULE config=$T/pam_jwt.conf session_env=sub,groups
session  required  pam_permit.so
EOF

# sshd re-executes itself by argv[0] (absolute path needed), and uses its
# basename as the PAM service.
ln -s "$(command -v sshd)" "$T/bin/$SVC"
dm_sshd_start "$T/bin/$SVC" "$LOG" "PasswordAuthentication yes"
ok "sshd ($SVC) listens on 127.0.0.1:$PORT" true

# ---- the client ------------------------------------------------------------

# login METHOD [USER [COMMAND]]: ssh (run by pjtest) as USER (pjtest)
# with METHOD (keyboard-interactive or password), answering through the
# askpass; runs COMMAND (`id -un`).  Sets OUT (stdout), ERR (stderr), RC.
login() {
	dm_ssh "$1" "${2:-$DM_USER}" "${3:-id -un}"
}

# accepted NAME: the last login printed the test user's name.
accepted() {
	is "$1" "$OUT" "$DM_USER"
	[ "$OUT" = "$DM_USER" ] || {
		echo "$ERR" | dm_redact | sed 's/^/#   ssh: /'
		dm_log_new | dm_redact | sed 's/^/#   log: /'
	}
}

# refused NAME: the last login failed and ran nothing.
refused() {
	if [ "$RC" -ne 0 ] && [ -z "$OUT" ]; then
		ok "$1" true
	else
		ok "$1" false
		diag "  exit $RC, output '$OUT'"
	fi
}

KI=keyboard-interactive
REFUSED="pam_jwt\\($SVC:auth\\): refused token for user=\"$DM_USER\""

# 1. The ordinary case: ES256 token, keyboard-interactive.
dm_mint tok --user "$DM_USER" --audience "$AUD" --alg ES256
dm_answer "$tok"
login "$KI"
accepted "keyboard-interactive: ES256 token logs in, id -un is $DM_USER"
is "keyboard-interactive: ssh shows the module's prompt" "$(dm_prompts)" \
	"($DM_USER@127.0.0.1) Token: "
dm_log_has "module logged the acceptance under service $SVC" \
	"pam_jwt\\($SVC:auth\\): accepted token for user=\"$DM_USER\" alg=ES256 iss=\"$DM_ISS\" sub=\"$DM_USER\""
ok "sshd logged a keyboard-interactive/pam login" \
	grep -q "Accepted keyboard-interactive/pam for $DM_USER from 127.0.0.1" "$LOG"

# 2. The password method (sshd's PAM conversation answers with the password).
dm_mint tok --user "$DM_USER" --audience "$AUD" --alg EdDSA
dm_answer "$tok"
login password
accepted "password method: EdDSA token logs in"
is "password method: ssh's own prompt" "$(dm_prompts)" "$DM_USER@127.0.0.1's password: "

# The session phase exports claims (session_env=sub,groups).
dm_groups '["devs", "ops"]'
dm_mint tok --user "$DM_USER" --audience "$AUD" --alg ES256
dm_answer "$tok"
login password "$DM_USER" env
is "password method: session has PAM_JWT_SUB" "$(grep '^PAM_JWT_SUB=' <<<"$OUT")" "PAM_JWT_SUB=$DM_USER"
is "password method: session has PAM_JWT_GROUPS" "$(grep '^PAM_JWT_GROUPS=' <<<"$OUT")" \
	'PAM_JWT_GROUPS=["devs","ops"]'
# With keyboard-interactive, sshd runs pam_authenticate and pam_acct_mgmt
# in a forked child (auth-pam.c sshpam_thread) and pam_open_session in the
# monitor, which does not see the module's pam_set_data but does get the
# child's PAM environment: session_env on the auth line exports there.
dm_mint tok --user "$DM_USER" --audience "$AUD" --alg ES256
dm_answer "$tok"
login "$KI" "$DM_USER" env
ok "keyboard-interactive with session_env: logs in" grep -q "^USER=$DM_USER\$" <<<"$OUT"
ok "keyboard-interactive: session has PAM_JWT_SUB (exported at authentication)" \
	grep -q "^PAM_JWT_SUB=$DM_USER\$" <<<"$OUT"
dm_groups '[]'

# 3. Refusals.
dm_mint tok --user "$DM_USER" --audience "$AUD" --alg ES256
dm_answer "$(dm_tamper "$tok")"
login "$KI"
refused "tampered signature: refused"
dm_log_has "tampered signature: refused for its signature" "$REFUSED: signature:"

dm_mint tok --user "$DM_USER" --audience "sudo://pj-host" --alg ES256
dm_answer "$tok"
login "$KI"
refused "token for audience sudo://pj-host: refused"
dm_log_has "other audience: refused for its audience" "$REFUSED: audience:"

dm_mint tok --user alice --audience "$AUD" --alg ES256
dm_answer "$tok"
login "$KI"
refused "alice's token for $DM_USER's login: refused"
dm_log_has "other user: refused as another user's token" "$REFUSED: user: token is for user \"alice\""
login password
refused "alice's token through the password method: refused"

dm_answer "not-a-token-but-a-password"
login "$KI"
refused "a plain password (no other auth module in the stack): refused"

# A token naming a user with no local account: sshd itself never hands
# PAM the real answer for an unknown user (it sends a fake password), so
# the module sees no token; the login fails either way.
dm_mint tok --user nosuchuser --audience "$AUD" --alg ES256
dm_answer "$tok"
login "$KI" nosuchuser
refused "token for a user with no local account: refused"
dm_log_lacks "no local account: nothing accepted" "accepted token"

# 4. A long token: RS256 with many groups, well past 1023 bytes.
many=$(printf '"group-with-a-long-name-%02d",' $(seq 1 60))
dm_groups "[${many%,}]"
dm_mint long --user "$DM_USER" --audience "$AUD" --alg RS256
dm_groups '[]'
diag "long token: ${#long} bytes"
ok "long token is longer than 2 x 1022 bytes" [ "${#long}" -gt 2044 ]

dm_answer "$long" 1022
login "$KI"
accepted "chunked entry over keyboard-interactive: $DM_NPARTS parts of <= 1023 characters"
want=$(printf '(%s@127.0.0.1) Token: \n' "$DM_USER"
	for ((k = 2; k <= DM_NPARTS; k++)); do printf '(%s@127.0.0.1) Token (part %d): \n' "$DM_USER" "$k"; done)
is "chunked entry: one prompt per part, numbered" "$(dm_prompts)" "$(printf '%s' "$want")"
is "chunked entry: longest answer is 1023 characters (1022 + backslash)" "$(dm_longest_part)" 1023
dm_log_has "chunked entry: accepted as RS256" \
	"pam_jwt\\($SVC:auth\\): accepted token for user=\"$DM_USER\" alg=RS256"

# The same token in one answer: OpenSSH's client cuts askpass answers at
# 1023 bytes, so what arrives is not the token (here "header.payload-
# prefix", not even shaped like a JWS: the module passes it on as a
# password, and nothing else in the stack accepts it).
dm_answer "$long"
login "$KI"
refused "the long token in one answer: cut by ssh, refused"
dm_log_lacks "the cut token is not accepted" "accepted token"

# A wrong part in the middle breaks the signature.
dm_answer "$long" 1022
p2=$(cat "$T/ask/part.2")
c=${p2:100:1}
if [ "$c" = A ]; then c=B; else c=A; fi
printf '%s' "${p2:0:100}$c${p2:101}" >"$T/ask/part.2"
login "$KI"
refused "chunked entry with a changed part: refused"
dm_log_has "changed part: refused by the module" "$REFUSED: "
# The askpass fails on part 2: ssh then sends an empty answer, which ends
# the token after part 1.
dm_answer "$long" 1022
rm -f "$T/ask/part.2"
login "$KI"
refused "chunked entry with a missing part: refused"
dm_log_has "missing part: refused by the module" "pam_jwt\\($SVC:auth\\): refused token"

# 5. The token helper alone: pjtest logs in once (device flow), then ssh
#    gets every token from `pam-jwt askpass` (SSH_ASKPASS_REQUIRE=force).
dm_groups '[]'
ok "the helper: pjtest logs in once (pam-jwt login, device flow)" \
	dm_helper_login "$AUD" "audience_ssh = $AUD"
login "$KI"
accepted "the helper as SSH_ASKPASS: keyboard-interactive logs in"
dm_log_has "the helper's token: accepted by the module" \
	"pam_jwt\\($SVC:auth\\): accepted token for user=\"$DM_USER\""
login "$KI"
accepted "the helper as SSH_ASKPASS: a second login (a fresh token)"
# ssh's password method names the host without the "(user@host) " prefix,
# like a server's prompt shown by OpenSSH < 8.4: the helper does not answer.
login password
refused "the helper as SSH_ASKPASS: the password method's prompt (no (user@host) prefix) is not answered"
ok "... the helper says keyboard-interactive with OpenSSH >= 8.4 is needed" \
	grep -q 'pam-jwt askpass: not answering .*OpenSSH >= 8.4.*keyboard-interactive' "$T/log/ssh.err"
# A host key the client does not know: ssh asks the askpass to confirm;
# the helper answers nothing it does not understand, so ssh gives up.
rm -f "$T/home/$DM_USER/known_hosts"
RC=0
OUT=$(timeout 60 setsid -w setpriv --reuid="$DM_UID" --regid="$DM_UID" --init-groups \
	env -i PATH="$DM_PATH" HOME="$T/home/$DM_USER" DISPLAY=:0 \
	SSH_ASKPASS="$DM_ASKPASS" SSH_ASKPASS_REQUIRE=force \
	ssh -F /dev/null -p "$PORT" -T -o BatchMode=no -o StrictHostKeyChecking=ask \
	-o UserKnownHostsFile="$T/home/$DM_USER/known_hosts" -o GlobalKnownHostsFile=/dev/null \
	-o PreferredAuthentications="$KI" -o PubkeyAuthentication=no -o LogLevel=ERROR \
	"$DM_USER@127.0.0.1" id -un </dev/null 2>"$T/log/ssh.err") || RC=$?
ok "an unknown host key: the helper does not confirm it, ssh stops" \
	test "$RC" -ne 0 -a -z "$OUT"
ok "an unknown host key: ssh says the host key was not verified" \
	grep -qi "host key verification failed" "$T/log/ssh.err"

# 6. The device flow at the ssh prompt, and the session's token cache.
#    pam_systemd would make /run/user/UID; the namespace has no systemd.
dm_conf "$T/pam_jwt_dev.conf" "audience = $AUD" "client_id = pam-jwt-cli" \
	"sso_audiences = ssh://host2" "http_timeout = 5"
cat >"/etc/pam.d/$SVC" <<EOF
auth     required  $DM_MODULE config=$T/pam_jwt_dev.conf device_flow device_in_prompt
account  required  $DM_MODULE config=$T/pam_jwt_dev.conf
account  required  pam_permit.so
session  optional  $DM_MODULE config=$T/pam_jwt_dev.conf
session  required  pam_permit.so
EOF
mkdir -p /run/user
install -d -m 700 -o "$DM_UID" -g "$DM_UID" "/run/user/$DM_UID"
chmod 644 "$DM_AC/ca.pem"
CODEF=$T/ask/device.code
rm -f "$CODEF" "$CODEF.done"
INSIDE="$top_builddir/tools/pam-jwt token --audience ssh://host2 | cut -d. -f2;
ls /run/user/$DM_UID/pam-jwt; env | grep -c '^PAM_JWT_SSO=' || true"
dm_log_mark
# (the pseudo-terminal is made as root: the namespace's ptmx is root's)
timeout 120 python3 "$top_srcdir/tests/daemons/ptydevice.py" "$CODEF" \
	setpriv --reuid="$DM_UID" --regid="$DM_UID" --init-groups \
	env -i PATH="$DM_PATH" HOME="$T/home/$DM_USER" TERM=dumb \
	ssh -F /dev/null -p "$PORT" -T -o StrictHostKeyChecking=no \
	-o UserKnownHostsFile="$T/home/$DM_USER/known_hosts" -o GlobalKnownHostsFile=/dev/null \
	-o PreferredAuthentications="$KI" -o PubkeyAuthentication=no -o LogLevel=ERROR \
	"$DM_USER@127.0.0.1" "$INSIDE" >"$T/log/device.out" 2>&1 &
dpid=$!
dm_device_approve "device flow over ssh: the person sees a code" "$CODEF" 200
touch "$CODEF.done"
wait "$dpid"
drc=$?
DOUT=$(cat "$T/log/device.out")
is "device flow over ssh: logged in (ssh exit 0)" "$drc" 0
# What the person sees at the prompt, as text (port and code made fixed).
seen=$(grep -Eo "\($DM_USER@127\.0\.0\.1\) [^:]*(:[^ ]*)* ?[^:]*: " <<<"$DOUT" |
	sed -E 's/code [A-Z0-9]{4}-[A-Z0-9]{4}/code XXXX-XXXX/; s/127\.0\.0\.1:[0-9]+/127.0.0.1:PORT/')
is "device flow over ssh: the prompts the person sees" "$seen" \
	"($DM_USER@127.0.0.1) Token: 
($DM_USER@127.0.0.1) Approve at https://127.0.0.1:PORT/device with code XXXX-XXXX, then press Enter: "
dm_log_has "device flow over ssh: the issued token was accepted for $DM_USER" \
	"pam_jwt\\($SVC:auth\\): accepted token for user=\"$DM_USER\""
payload=$(sed -n '/^[A-Za-z0-9_-]\{20,\}$/p' <<<"$DOUT" | head -n 1)
aud=$(node -e 'try { process.stdout.write(String(JSON.parse(Buffer.from(process.argv[1], "base64url")).aud)) } catch (e) {}' "$payload")
is "inside the ssh session: pam-jwt token --audience ssh://host2, no second sign-in" \
	"$aud" "ssh://host2"
ok "inside the ssh session: the cache is in /run/user/$DM_UID/pam-jwt" \
	grep -Eq '^login-[0-9a-f]{16}\.json$' <<<"$DOUT"
ok "inside the ssh session: the tokens are not in the session's environment" \
	grep -qx 0 <<<"$DOUT"
for ((i = 0; i < 50; i++)); do
	ls "/run/user/$DM_UID/pam-jwt"/login-*.json >/dev/null 2>&1 || break
	sleep 0.1
done
ok "the ssh session closed: the token cache is gone" \
	bash -c '! ls "$1"/login-*.json >/dev/null 2>&1' _ "/run/user/$DM_UID/pam-jwt"
[ "$aud" = "ssh://host2" ] || { diag "ssh output:"; dm_redact <<<"$DOUT" | sed 's/^/#   /'; }

dm_no_token_logged "$DM_SYSLOG" "$LOG"
done_testing
