#!/bin/bash
# The real sudo with pam_jwt as its PAM stack: the test user runs
# `sudo -A -k id -un` and the askpass answers with a token from the test
# auth center.  Claim policy (require=groups=admins, max_age) decides;
# a token for the SSH audience, another user's token and a stale token
# are refused, for the reason the module logs.  sudo refuses answers of
# 512 bytes or more, so a long token goes in parts (chunked entry).
#
# sudo ignores LD_PRELOAD (setuid), so it runs for real inside private
# namespaces (see common.sh); needs root.
set -u
. "$top_srcdir/tests/daemons/common.sh"
dm_enter sudo
dm_setup
dm_ac_start

AUD=sudo://pj-host
SUDO_ERR=$T/log/sudo.err

# ---- sudo's configuration ------------------------------------------------

dm_conf "$T/pam_jwt.conf"
# pam_sudo AUTH-ARGS [ACCOUNT-ARGS]: /etc/pam.d/sudo (the namespace's copy).
pam_sudo() {
	local base="config=$T/pam_jwt.conf audience=$AUD"
	cat >/etc/pam.d/sudo <<-EOF
	auth     required  $DM_MODULE $base $1
	account  required  $DM_MODULE $base ${2-$1}
	account  required  pam_permit.so
	session  optional  $DM_MODULE $base session_env=sub,groups
	session  required  pam_permit.so
	EOF
}
POLICY="require=groups=admins max_age=5m"
pam_sudo "$POLICY"

cat >"$T/etc/sudoers" <<EOF
Defaults !lecture, timestamp_timeout=0, passwd_tries=1, env_reset
Defaults secure_path="$DM_PATH"
root    ALL=(ALL:ALL) ALL
$DM_USER  ALL=(ALL) ALL
EOF
chmod 440 "$T/etc/sudoers"
mkdir -m 755 "$T/etc/sudoers.d"
bind "$T/etc/sudoers" /etc/sudoers
[ -d /etc/sudoers.d ] && bind "$T/etc/sudoers.d" /etc/sudoers.d
visudo -c -q -f /etc/sudoers >/dev/null 2>&1 || bail "the test sudoers does not parse"

# as_user [COMMAND...]: sudo COMMAND (id -un) as the test user, answering
# through the askpass.  Sets OUT (stdout), ERR (stderr) and RC.
as_user() {
	local -a cmd=("$@")
	[ $# -gt 0 ] || cmd=(id -un)
	dm_log_mark
	RC=0
	OUT=$(timeout 60 setpriv --reuid="$DM_UID" --regid="$DM_UID" --init-groups \
		env -i PATH="$DM_PATH" HOME="$T/home/$DM_USER" USER="$DM_USER" LOGNAME="$DM_USER" \
		SUDO_ASKPASS="$DM_ASKPASS" sudo -A -k "${cmd[@]}" </dev/null 2>"$SUDO_ERR") || RC=$?
	ERR=$(cat "$SUDO_ERR")
}

# granted NAME: the last sudo ran id as root.
granted() {
	is "$1" "$OUT" root
	[ "$OUT" = root ] || {
		echo "$ERR" | dm_redact | sed 's/^/#   sudo: /'
		dm_log_new | dm_redact | sed 's/^/#   log: /'
	}
}

# denied NAME: the last sudo ran nothing.
denied() {
	if [ "$RC" -ne 0 ] && [ -z "$OUT" ]; then
		ok "$1" true
	else
		ok "$1" false
		diag "  exit $RC, output '$OUT'"
	fi
}

REFUSED="pam_jwt\\(sudo:auth\\): refused token for user=\"$DM_USER\""

is "the test user is who setpriv runs as" \
	"$(setpriv --reuid="$DM_UID" --regid="$DM_UID" --init-groups id -un)" "$DM_USER"

# 1. Allowed: pjtest is in admins.
dm_groups '["admins", "devs"]'
dm_mint tok --user "$DM_USER" --audience "$AUD" --alg ES256
dm_answer "$tok"
as_user
granted "group admins: sudo -A id -un runs as root"
is "sudo passes the module's prompt to the askpass unchanged" "$(dm_prompts)" "Token: "
dm_log_has "module logged the acceptance under service sudo" \
	"pam_jwt\\(sudo:auth\\): accepted token for user=\"$DM_USER\" alg=ES256 iss=\"$DM_ISS\" sub=\"$DM_USER\""

dm_mint tok --user "$DM_USER" --audience "$AUD" --alg EdDSA
dm_answer "$tok"
as_user
granted "the next sudo asks again (timestamp_timeout=0) and an EdDSA token works"
is "one prompt for the second sudo" "$(dm_prompts | wc -l)" 1

# The session phase exports claims; sudo passes them to the command.
dm_mint tok --user "$DM_USER" --audience "$AUD" --alg ES256
dm_answer "$tok"
as_user env
is "session_env: the command sees PAM_JWT_SUB" "$(grep '^PAM_JWT_SUB=' <<<"$OUT")" "PAM_JWT_SUB=$DM_USER"
is "session_env: the command sees PAM_JWT_GROUPS" "$(grep '^PAM_JWT_GROUPS=' <<<"$OUT")" \
	'PAM_JWT_GROUPS=["admins","devs"]'

# 2. Policy: not in admins.
dm_groups '["devs"]'
dm_mint tok --user "$DM_USER" --audience "$AUD" --alg ES256
dm_answer "$tok"
as_user
denied "groups [devs] only: refused"
dm_log_has "not in admins: refused by require" "$REFUSED: claim: require groups=admins does not hold"

# No groups claim at all.
dm_groups 'null'
dm_mint tok --user "$DM_USER" --audience "$AUD" --alg ES256
dm_answer "$tok"
as_user
denied "no groups claim: refused"
dm_log_has "no groups claim: refused by require" "$REFUSED: claim: require groups=admins"

# 3. Replays and other people's tokens.
dm_groups '["admins"]'
dm_mint tok --user "$DM_USER" --audience ssh://pj-host --alg ES256
dm_answer "$tok"
as_user
denied "an SSH token (aud ssh://pj-host) replayed to sudo: refused"
dm_log_has "SSH token: refused for its audience" "$REFUSED: audience: token audience is not $AUD"

dm_mint tok --user alice --audience "$AUD" --alg ES256
dm_answer "$tok"
as_user
denied "alice's token (she is in admins) for $DM_USER's sudo: refused"
dm_log_has "alice's token: refused as another user's" "$REFUSED: user: token is for user \"alice\""

dm_mint tok --user "$DM_USER" --audience "$AUD" --alg ES256
dm_answer "$(dm_tamper "$tok")"
as_user
denied "tampered signature: refused"
dm_log_has "tampered: refused for its signature" "$REFUSED: signature:"

dm_answer "hunter2"
as_user
denied "a plain password (no other module in the stack): refused"

# 4. Freshness: max_age=3s with no leeway.
pam_sudo "require=groups=admins max_age=3 leeway=0"
dm_mint tok --user "$DM_USER" --audience "$AUD" --alg ES256
dm_answer "$tok"
as_user
granted "max_age=3: a token used at once is accepted"
dm_mint tok --user "$DM_USER" --audience "$AUD" --alg ES256
dm_answer "$tok"
sleep 5
as_user
denied "max_age=3: the same kind of token 5 s later is refused"
dm_log_has "stale token: refused for its age" "$REFUSED: expired: token is [0-9]+ s old, max_age is 3 s"
pam_sudo "$POLICY"

# 5. The account phase re-checks policy: auth without require, account
# with it.
pam_sudo "max_age=5m" "$POLICY"
dm_groups '["devs"]'
dm_mint tok --user "$DM_USER" --audience "$AUD" --alg ES256
dm_answer "$tok"
as_user
denied "account phase with require=groups=admins: refused after a good token"
dm_log_has "account phase: the module says why" \
	"pam_jwt\\(sudo:account\\): account: user $DM_USER refused: require groups=admins does not hold"
pam_sudo "$POLICY"

# 6. A long token: RS256 with many groups, in parts of 510 + backslash.
many=$(printf '"group-with-a-long-name-%02d",' $(seq 1 30))
dm_groups "[\"admins\", ${many%,}]"
dm_mint long --user "$DM_USER" --audience "$AUD" --alg RS256
diag "long token: ${#long} bytes"
ok "long token is longer than 2 x 510 bytes" [ "${#long}" -gt 1020 ]

dm_answer "$long" 510
as_user
granted "chunked entry: $DM_NPARTS parts of <= 511 characters"
want=$(echo "Token: "
	for ((k = 2; k <= DM_NPARTS; k++)); do echo "Token (part $k): "; done)
is "chunked entry: one prompt per part, numbered" "$(dm_prompts)" "$want"
is "chunked entry: longest answer is 511 characters" "$(dm_longest_part)" 511
dm_log_has "chunked entry: accepted as RS256" \
	"pam_jwt\\(sudo:auth\\): accepted token for user=\"$DM_USER\" alg=RS256"

# sudo's own limit (measured): an answer of 512 bytes or more never
# reaches the module.
dm_answer "$long" 511
as_user
denied "parts of 511 + backslash (512 bytes): sudo refuses the answer"
is "... after the first prompt" "$(dm_prompts)" "Token: "
diag "sudo said: $(echo "$ERR" | dm_redact | head -n 2 | tr '\n' ' ')"
dm_log_has "... and the module could not read the token" \
	"pam_jwt\\(sudo:auth\\): cannot read the token"

dm_answer "$long"
as_user
denied "the long token in one answer: refused (sudo's 512-byte limit)"

# The token helper alone: pjtest logs in once (device flow), then sudo -A
# gets its token from `pam-jwt askpass`.
dm_groups '["admins", "devs"]'
ok "the helper: pjtest logs in once (pam-jwt login, device flow)" \
	dm_helper_login "$AUD" "audience_sudo = $AUD"
as_user
granted "the helper as SUDO_ASKPASS: sudo -A runs as root"
dm_log_has "the helper's token: accepted by the module" \
	"pam_jwt\\(sudo:auth\\): accepted token for user=\"$DM_USER\""
dm_groups '["devs"]'
as_user
denied "the helper's token without the admins group: refused"

dm_no_token_logged "$DM_SYSLOG"
done_testing
