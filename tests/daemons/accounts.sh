#!/bin/bash
# Accounts created at first login, with the real sshd, the real sudo and
# the real glibc: libnss_jwt.so.2 serves the account database
# (`passwd: files jwt`, `group: files jwt`) inside private namespaces.
#
# - A first login over ssh of a name that matches accounts_provisional
#   runs PAM (sshd found the provisional entry), creates the account with
#   that entry's UID and its home from the skeleton; the session runs as
#   that UID; a second login reuses the account.
# - `id` shows the auth center's groups as Unix groups; sudoers
#   `%jwt-admins ALL=(ALL) ALL` grants sudo to a member, and no longer to
#   a former member once a login without the group replaced them.
# - A token of another sub for the same name is refused.
# - A name outside the pattern does not resolve; a refused token for a
#   matching name writes no account.
#
# sshd keeps the passwd entry it looked up before PAM for the whole
# session, so the provisional entry must carry the UID, home and shell the
# account gets (a stand-in NSS module whose entry said /usr/sbin/nologin
# ended the first session at once).
#
# Skipped until the NSS module is built (PJ_DM_NSS names another file).  Runs in private namespaces (see
# common.sh); needs root.
set -u
. "$top_srcdir/tests/daemons/common.sh"
# PJ_DM_NSS: another NSS module file to test (e.g. an installed one).
NSS_SO=${PJ_DM_NSS:-}
for f in "$top_builddir/nss_jwt/.libs/libnss_jwt.so.2" "$top_builddir/.libs/libnss_jwt.so.2" \
	"$top_builddir/nss_jwt/libnss_jwt.so.2"; do
	[ -z "$NSS_SO" ] && [ -f "$f" ] && NSS_SO=$f
done
[ -n "$NSS_SO" ] || skip_all "the NSS module libnss_jwt.so.2 is not built"
export NSS_SO
dm_enter sshd ssh ssh-keygen setsid sudo visudo ldconfig getent
dm_setup
dm_ac_start

SSH_AUD=ssh://pj-host
SUDO_AUD=sudo://pj-host
SVC=pj-sshd
LOG=$T/log/sshd.log
CLI=$top_builddir/tools/pam-jwt

# ---- the NSS module, the configuration, the database --------------------

# glibc finds libnss_jwt.so.2 through a test ld.so.cache that also lists
# the test's library directory (trusted also for setuid sudo).
mkdir -m 755 "$T/nsslib"
cp "$NSS_SO" "$T/nsslib/libnss_jwt.so.2"
chmod 644 "$T/nsslib/libnss_jwt.so.2"
{
	echo "$T/nsslib"
	echo "include /etc/ld.so.conf.d/*.conf"
} >"$T/ld.so.conf"
ldconfig -C "$T/ld.so.cache" -f "$T/ld.so.conf" 2>"$T/log/ldconfig.err" ||
	bail "ldconfig failed: $(cat "$T/log/ldconfig.err")"
bind "$T/ld.so.cache" /etc/ld.so.cache
printf '%s\n' 'passwd: files jwt' 'group: files jwt' 'shadow: files' 'gshadow: files' \
	'hosts: files' >"$T/etc/nsswitch.conf"

# The NSS module reads /etc/security/pam_jwt.conf: a private copy of
# /etc/security holds the test's.
cp -a /etc/security "$T/security" 2>/dev/null || mkdir -m 755 "$T/security"
bind "$T/security" /etc/security
mkdir -m 755 "$T/db" "$T/skel"
echo "# from the skeleton" >"$T/skel/.profile"
chmod 644 "$T/skel/.profile"
cat >"$T/accounts.map" <<EOF
sub=mallory -> pv-nina
iss=$DM_ISS -> claim:preferred_username
EOF
chmod 644 "$T/accounts.map"
dm_conf /etc/security/pam_jwt.conf \
	"accounts = create" \
	"accounts_dir = $T/db" \
	"accounts_home = $T/home/%u" \
	"accounts_skel = $T/skel" \
	"accounts_uid_from = name" \
	"accounts_provisional = pv-*" \
	"accounts_groups = prefix:jwt-" \
	"accounts_group_allow = admins,devs" \
	"map_file = $T/accounts.map"
chmod 644 /etc/security/pam_jwt.conf

# users GROUPS-JSON: the groups the auth center gives pv-nina.
users() {
	cat >"$DM_AC/users.json" <<-EOF
	{ "pv-nina": { "groups": $1 }, "pv-quinn": { "groups": ["admins"] },
	  "zed": { "groups": ["admins"] }, "mallory": { "groups": ["admins"] } }
	EOF
}
acct() { "$CLI" accounts audience=x "$@" 2>&1; }

# ---- sshd ------------------------------------------------------------------

cat >"/etc/pam.d/$SVC" <<EOF
auth     required  $DM_MODULE audience=$SSH_AUD
account  required  $DM_MODULE audience=$SSH_AUD
account  required  pam_permit.so
session  required  $DM_MODULE audience=$SSH_AUD
session  required  pam_permit.so
EOF
ln -s "$(command -v sshd)" "$T/bin/$SVC"
dm_sshd_start "$T/bin/$SVC" "$LOG" "PasswordAuthentication no"

# ssh_as USER COMMAND: ssh (the client runs as pjtest) as USER, the
# askpass answering; sets OUT, RC.
ssh_as() {
	dm_ssh keyboard-interactive "$1" "$2"
}

# ---- sudo --------------------------------------------------------------------

cat >/etc/pam.d/sudo <<EOF
auth     required  $DM_MODULE audience=$SUDO_AUD
account  required  $DM_MODULE audience=$SUDO_AUD
account  required  pam_permit.so
session  required  pam_permit.so
EOF
cat >"$T/etc/sudoers" <<EOF
Defaults !lecture, timestamp_timeout=0, passwd_tries=1, env_reset
Defaults secure_path="$DM_PATH"
root    ALL=(ALL:ALL) ALL
%jwt-admins ALL=(ALL) ALL
EOF
chmod 440 "$T/etc/sudoers"
mkdir -m 755 "$T/etc/sudoers.d"
bind "$T/etc/sudoers" /etc/sudoers
[ -d /etc/sudoers.d ] && bind "$T/etc/sudoers.d" /etc/sudoers.d
visudo -c -q -f /etc/sudoers >/dev/null 2>&1 || bail "the test sudoers does not parse"

# sudo_as USER UID: USER (its groups from NSS) runs sudo -A -k id -un.
sudo_as() {
	dm_log_mark
	RC=0
	OUT=$(timeout 60 setpriv --reuid="$2" --regid="$2" --init-groups \
		env -i PATH="$DM_PATH" HOME=/ USER="$1" LOGNAME="$1" \
		SUDO_ASKPASS="$DM_ASKPASS" sudo -A -k id -un </dev/null 2>"$T/log/sudo.err") || RC=$?
}
# the askpass runs as the sudo user: its answers must be readable by it
answer_for() {
	dm_answer "$1"
	chown "$2" "$T"/ask/part.* "$T/ask/prompts"
	chmod 711 "$T/ask"
}

# ---- 1. first login over ssh: a provisional name ---------------------------

users '["admins","devs"]'
PROV=$(getent passwd pv-nina)
PUID=$(cut -d: -f3 <<<"$PROV")
ok "a provisional name resolves before its first login ($PROV)" test -n "$PUID"
ok "  as a provisional entry" grep -q ':pam_jwt provisional:' <<<"$PROV"
# sshd keeps the whole entry for the first session: UID, home and shell
is "  with the home and shell the account will have" "$(cut -d: -f6,7 <<<"$PROV")" \
	"$T/home/pv-nina:/bin/bash"
ok "a name outside accounts_provisional does not resolve" eval '! getent passwd zed'
dm_mint tok --user pv-nina --audience "$SSH_AUD" --alg ES256
dm_answer "$tok"
ssh_as pv-nina 'id -un; id -u; id -Gn; test -f ~/.profile && echo skel'
is "first ssh login creates the account and runs the session as it" "$(sed -n 1p <<<"$OUT")" pv-nina
is "  with the provisional entry's UID (sshd kept it)" "$(sed -n 2p <<<"$OUT")" "$PUID"
ok "  id shows the mapped groups" grep -qw jwt-admins <<<"$(sed -n 3p <<<"$OUT")"
is "  the home was made from the skeleton" "$(sed -n 4p <<<"$OUT")" skel
is "  the database has it with that UID" "$(acct show pv-nina | sed -n 's/^uid: //p')" "$PUID"
ok "  getent passwd now gives the account (not provisional)" \
	eval '! getent passwd pv-nina | grep -q "pam_jwt provisional"'
is "  owned home" "$(stat -c '%u %a' "$T/home/pv-nina")" "$PUID 700"
ok "  getent group jwt-admins lists it" eval 'getent group jwt-admins | grep -qw pv-nina'

dm_mint tok --user pv-nina --audience "$SSH_AUD" --alg ES256
dm_answer "$tok"
ssh_as pv-nina 'id -u'
is "second ssh login reuses the account" "$OUT" "$PUID"

# ---- 2. sudo through %jwt-admins ------------------------------------------------

dm_mint tok --user pv-nina --audience "$SUDO_AUD" --alg ES256
answer_for "$tok" "$PUID"
sudo_as pv-nina "$PUID"
is "sudoers %jwt-admins grants sudo to a member" "$OUT" root
users '["devs"]'
dm_mint tok --user pv-nina --audience "$SSH_AUD" --alg ES256
dm_answer "$tok"
ssh_as pv-nina 'id -Gn'
ok "a login without admins replaces the groups" eval '! grep -qw jwt-admins <<<"$OUT" && grep -qw jwt-devs <<<"$OUT"'
dm_mint tok --user pv-nina --audience "$SUDO_AUD" --alg ES256
answer_for "$tok" "$PUID"
sudo_as pv-nina "$PUID"
ok "  and a former member gets no sudo" eval '[ "$RC" -ne 0 ] && [ "$OUT" != root ]'

# ---- 3. refusals ------------------------------------------------------------------

dm_mint tok --user mallory --audience "$SSH_AUD" --alg ES256
dm_answer "$tok"
ssh_as pv-nina 'id -un'
ok "takeover: a token of another sub for the same name is refused" eval '[ "$RC" -ne 0 ] && [ -z "$OUT" ]'
dm_log_has "  with the reason" "refused token for user=\"pv-nina\": user: .*bound to another identity"

dm_mint tok --user zed --audience "$SSH_AUD" --alg ES256
dm_answer "$tok"
ssh_as zed 'id -un'
ok "a name outside the pattern cannot log in over ssh the first time" eval '[ "$RC" -ne 0 ] && [ -z "$OUT" ]'
acct show zed >/dev/null
ok "  and no account is written" test $? -eq 1

dm_mint tok --user pv-quinn --audience "$SSH_AUD" --alg ES256
dm_answer "$(dm_tamper "$tok")"
ssh_as pv-quinn 'id -un'
ok "a refused token for a provisional name logs nothing in" eval '[ "$RC" -ne 0 ] && [ -z "$OUT" ]'
acct show pv-quinn >/dev/null
ok "  and writes no account" test $? -eq 1
ok "  the name stays provisional" eval 'getent passwd pv-quinn | grep -q "pam_jwt provisional"'

dm_no_token_logged "$DM_SYSLOG" "$LOG" "$T/log/ssh.err" "$T/log/sudo.err"
done_testing
