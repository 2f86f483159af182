#!/bin/bash
# Lock screens and the offline PIN, through real PAM conversations:
#   - the user-run path (KDE's lock screen, xscreensaver, swaylock run PAM
#     as the person): pamtester run as the test user with setpriv, the
#     configuration root's and 0600, so every decision goes through the
#     setuid helper pam_jwt-unlock (copied into a root-owned directory on
#     a tmpfs of this mount namespace and made setuid there);
#   - the root-run path (GDM's unlock, a greeter, the console): pamtester
#     as root;
#   - online with a token, offline with the PIN (the test auth center
#     stopped), and what must not work: the PIN while the auth center
#     answers, after offline_max, for a revoked subject, for a locked
#     account, guessing (slowed and logged), reading the hash as the user;
#   - the helper under a hostile caller: another account's name, a hostile
#     environment, closed descriptors, resource limits.
#
# Runs in private namespaces (see tests/daemons/common.sh); needs root.
set -u
. "$top_srcdir/tests/daemons/common.sh"
dm_enter pamtester python3 prlimit
dm_setup
dm_ac_start

AUD=pam://pj-host
HELPER_SRC=$top_builddir/pam_jwt/pam_jwt-unlock
[ -x "$HELPER_SRC" ] || bail "helper not built ($HELPER_SRC)"
CLI=$top_builddir/tools/pam-jwt

# The setuid helper: a tmpfs of our own (no nosuid), root's, 0755.
mkdir -m 755 "$T/libexec"
mount -t tmpfs -o mode=755,size=16m pj-libexec "$T/libexec" || bail "cannot mount a tmpfs"
cp "$HELPER_SRC" "$T/libexec/pam_jwt-unlock"
cp "$top_builddir/pam_jwt/pam_jwt-fetch" "$T/libexec/pam_jwt-fetch"
chmod 4755 "$T/libexec/pam_jwt-unlock"
chmod 755 "$T/libexec/pam_jwt-fetch"
trap 'umount "$T/libexec" 2>/dev/null; dm_cleanup' EXIT
HELPER=$T/libexec/pam_jwt-unlock

# The system configuration: a private copy of /etc/security, root's, 0600.
cp -a /etc/security "$T/security" 2>/dev/null || mkdir -m 755 "$T/security"
bind "$T/security" /etc/security
mkdir -m 755 "$T/db"
: >"$T/etc/revoked"
chmod 644 "$T/etc/revoked"
CONF=/etc/security/pam_jwt.conf
conf() {
	dm_conf "$CONF" \
		"fetch_helper = $T/libexec/pam_jwt-fetch" \
		"audience = $AUD" \
		"http_timeout = 2" \
		"replay = yes" \
		"replay_dir = $T/state" \
		"revocation_file = $T/etc/revoked" \
		"offline_dir = $T/offline" \
		"accounts = create" \
		"accounts_dir = $T/db" \
		"accounts_home = $T/home/%u" \
		"$@"
}
conf "offline_max = 1h"

# What the next module of the stack gets as PAM_AUTHTOK (pam_exec's
# expose_authtok), for pam_gnome_keyring's sake.
cat >"$T/bin/authtok" <<EOF
#!/bin/sh
tr -d '\\000' >"$T/ask/authtok"
EOF
chmod 755 "$T/bin/authtok"
authtok() { cat "$T/ask/authtok" 2>/dev/null; }

# pj-lock: a lock screen's stack (run as the user); pj-gdm: GDM's unlock
# and sign-in (run as root).  pam_jwt decides; pam_exec only looks.
cat >/etc/pam.d/pj-lock <<EOF
auth     [success=1 default=ignore]  $DM_MODULE unlock_helper=$HELPER
auth     requisite  pam_deny.so
auth     optional   pam_exec.so expose_authtok quiet $T/bin/authtok
EOF
cat >/etc/pam.d/pj-gdm <<EOF
auth     [success=1 default=ignore]  $DM_MODULE pin_prompt
auth     requisite  pam_deny.so
auth     optional   pam_exec.so expose_authtok quiet $T/bin/authtok
account  required   $DM_MODULE
account  required   pam_permit.so
EOF

# as_user CMD...: run as the test user, clean environment.
as_user() {
	setpriv --reuid="$DM_UID" --regid="$DM_UID" --init-groups \
		env -i PATH="$DM_PATH" HOME="$T/home/$DM_USER" "$@"
}

# lock_user [USER] -- ANSWERS...: the lock screen as USER (default pjtest).
lock_user() {
	rm -f "$T/ask/authtok"
	printf '%s\n' "$@" | as_user pamtester -v pj-lock "$DM_USER" authenticate \
		>"$T/log/pt.out" 2>&1
}
# gdm USER ANSWERS...: GDM's side, as root: authenticate, then the account phase.
gdm() {
	local u=$1
	shift
	rm -f "$T/ask/authtok"
	printf '%s\n' "$@" | env -i PATH="$DM_PATH" pamtester -v pj-gdm "$u" authenticate \
		acct_mgmt >"$T/log/pt.out" 2>&1
}
pt_diag() { dm_redact <"$T/log/pt.out" | sed 's/^/#   pamtester: /'; }
okpt() {
	local name=$1
	shift
	if "$@"; then ok "$name" true; else ok "$name" false; pt_diag; fi
}
fails() { ! "$@"; }

PIN=4711-blue
PIN2=9090-green

# ---- online: tokens ---------------------------------------------------------

dm_mint tok --user "$DM_USER" --audience "$AUD" --alg ES256
dm_log_mark
okpt "lock screen as the user: a token unlocks (through the setuid helper)" lock_user "$tok"
dm_log_has "  the helper accepted it and logged so" 'pam_jwt-unlock.*accepted token for user="pjtest"'
is "  the configuration is unreadable for the user (so only the helper could decide)" \
	"$(as_user cat "$CONF" 2>/dev/null | wc -c)" 0
okpt "lock screen: the same token again is refused (replay store, root's)" fails lock_user "$tok"
dm_mint tok --user "$DM_USER" --audience "$AUD" --alg ES256
okpt "lock screen: a tampered token is refused" fails lock_user "$(dm_tamper "$tok")"
dm_mint tok --user alice --audience "$AUD" --alg ES256
okpt "lock screen: another person's token does not unlock pjtest's screen" fails lock_user "$tok"

dm_mint tok --user "$DM_USER" --audience "$AUD" --alg ES256
okpt "GDM (root): a token signs in and offers a PIN, which is set" gdm "$DM_USER" "$tok" "$PIN" "$PIN"
grep -q 'Set an offline PIN' "$T/log/pt.out" || pt_diag
is "  PAM_AUTHTOK is the new PIN (for the keyring)" "$(authtok)" "$PIN"
rec=$(ls "$T/offline" | grep -v '^\.' | head -n 1)
ok "  the PIN is stored as a yescrypt hash" grep -q '"hash":"\$y\$' "$T/offline/$rec"
ok "  and the PIN itself is not stored" fails grep -qF "$PIN" "$T/offline/$rec"
is "  the store is root's, 0700; the record 0600" \
	"$(stat -c '%U %a' "$T/offline" "$T/offline/$rec" | tr '\n' ' ')" "root 700 root 600 "
ok "hash readable by the user: no (cat as pjtest fails)" fails as_user cat "$T/offline/$rec"
ok "hash readable by the user: no (not even the names: ls as pjtest fails)" \
	fails as_user ls "$T/offline"

dm_mint tok --user "$DM_USER" --audience "$AUD" --alg ES256
okpt "GDM: the next sign-in asks for no PIN (one is set)" gdm "$DM_USER" "$tok"
ok "  no PIN prompt" fails grep -q 'Set an offline PIN' "$T/log/pt.out"
is "  PAM_AUTHTOK is not the token after a token sign-in" "$(authtok | head -c 3)" ""

# ---- the PIN while the auth center answers -------------------------------

dm_log_mark
okpt "PIN while the auth center answers (lock screen): refused" fails lock_user "$PIN"
dm_log_has "  logged: not used, the auth center answers" 'offline PIN not used.*auth center answers'
okpt "PIN while the auth center answers (GDM): refused" fails gdm "$DM_USER" "$PIN"

# ---- pam-jwt pin set: only with a fresh token --------------------------------

dm_mint tok --user "$DM_USER" --audience "$AUD" --alg ES256
printf '%s\n%s\n%s\n' "$tok" "$PIN2" "$PIN2" | as_user "$CLI" pin set --pin-stdin --helper "$HELPER" \
	>"$T/log/pin.out" 2>&1
is "pam-jwt pin set with a fresh token: PIN changed" "$?" 0
printf '%s\n%s\n%s\n' "$tok" "$PIN" "$PIN" | as_user "$CLI" pin set --pin-stdin --helper "$HELPER" \
	>"$T/log/pin.out" 2>&1
is "pam-jwt pin set with a used token: refused" "$?" 1
printf '%s\n%s\n%s\n' "$PIN2" "$PIN" "$PIN" | as_user "$CLI" pin set --pin-stdin --helper "$HELPER" \
	>"$T/log/pin.out" 2>&1
is "pam-jwt pin set with the old PIN instead of a token: refused" "$?" 1

# ---- an account of the database, for the lock test -----------------------------

dm_mint tok --user carol --audience "$AUD" --alg ES256
okpt "GDM: a new person (carol) signs in, her account is made, she sets a PIN" \
	gdm carol "$tok" "$PIN" "$PIN"

# ---- offline ------------------------------------------------------------------------

dm_log_mark
"$DM_ACSH" stop "$DM_AC" >/dev/null 2>&1
okpt "offline (auth center stopped): the PIN unlocks the lock screen" lock_user "$PIN2"
is "  PAM_AUTHTOK is the PIN (a keyring whose password is the PIN unlocks)" "$(authtok)" "$PIN2"
dm_log_has "  the helper logged it" 'pam_jwt-unlock.*accepted offline PIN for user="pjtest"'
okpt "offline: the PIN signs in at GDM (root), account phase too" gdm "$DM_USER" "$PIN2"
is "  PAM_AUTHTOK is the PIN" "$(authtok)" "$PIN2"
okpt "offline: the old PIN (before pin set) no longer works" fails lock_user "$PIN"

# guessing
getent passwd "$DM_USER" >/dev/null || diag "pjtest gone before guessing: $(ls -la /etc/passwd; mount | grep passwd)"
sleep 2.2
dm_log_mark
okpt "guess: a wrong PIN is refused" fails lock_user "0000-wrong"
okpt "guess: the right PIN right after a wrong one is not even checked" fails lock_user "$PIN2"
okpt "guess: the same through GDM (root path) is slowed too" fails gdm "$DM_USER" "$PIN2"
dm_log_has "  logged with the count" 'refused offline PIN.*wrong PIN \([0-9]+ in a row'
dm_log_has "  logged: too soon" 'refused offline PIN.*too soon after a wrong PIN'
sleep 2
sleep 2.2
okpt "guess: after the delay the right PIN works" lock_user "$PIN2"
okpt "guess: and clears the count (a typo now costs 2 s again, not 8)" fails lock_user "bad-pin-1"
sleep 2.2
okpt "  after 2 s the right PIN works again" lock_user "$PIN2"

# offline_max
getent passwd "$DM_USER" >/dev/null || diag "pjtest gone before offline_max: $(ls -la /etc/passwd; mount | grep passwd; tail -3 /etc/passwd)"
conf "offline_max = 1"
sleep 2
okpt "offline, last online sign-in longer ago than offline_max: the PIN is refused" \
	fails lock_user "$PIN2"
okpt "  also through GDM" fails gdm "$DM_USER" "$PIN2"
conf "offline_max = 1h"
okpt "  within offline_max again (1h): it works" lock_user "$PIN2"

# revoked subject
echo "sub=$DM_USER" >"$T/etc/revoked"
dm_log_mark
okpt "offline, revoked subject: the PIN is refused (lock screen)" fails lock_user "$PIN2"
dm_log_has "  logged as revoked" 'refused offline PIN.*(revoked|revocation)'
okpt "offline, revoked subject: refused (GDM)" fails gdm "$DM_USER" "$PIN2"
: >"$T/etc/revoked"

# locked account
okpt "offline: carol's PIN signs her in (GDM)" gdm carol "$PIN"
"$CLI" accounts lock carol >"$T/log/acct.out" 2>&1 || diag "$(cat "$T/log/acct.out")"
dm_log_mark
okpt "offline, account locked with pam-jwt accounts lock: the PIN is refused" fails gdm carol "$PIN"
dm_log_has "  logged as locked" 'refused offline PIN for user="carol".*locked'

# offline_pin = off; always
conf "offline_max = 1h" "offline_pin = off"
okpt "offline_pin = off: the PIN is refused offline" fails lock_user "$PIN2"
conf "offline_max = 1h"

# ---- the helper itself, under a hostile caller -------------------------------------

frame() { # frame VERB SECRET: the request frame, as the module writes it
	python3 -c 'import sys,struct
v,s=sys.argv[1].encode(),sys.argv[2].encode()
sys.stdout.buffer.write(b"PJU1"+v+struct.pack(">H",len(s))+s+struct.pack(">H",0))' "$1" "$2"
}
helper_as_user() { # helper_as_user NAME SECRET [prefix command...]: exit status
	local name=$1 s=$2
	shift 2
	frame P "$s" >"$T/ask/frame"
	chown "$DM_UID" "$T/ask/frame"
	as_user "$@" "$HELPER" "$name" <"$T/ask/frame" >"$T/ask/verdict" 2>/dev/null
}
dm_log_mark
helper_as_user root "$PIN2"
is "helper: asked for another account (root) by pjtest: refused (usage)" "$?" 6
dm_log_has "  and logged" 'pam_jwt-unlock.*uid=4242 asked for another account'
helper_as_user "$DM_USER" "$PIN2"
is "helper: its own account: the verdict as exit status (0)" "$?" 0
is "  and as its only output, one byte" "$(od -An -tu1 <"$T/ask/verdict" | tr -d ' ')" 0
as_user "$HELPER" "$DM_USER" extra <"$T/ask/frame" >/dev/null 2>&1
is "helper: an extra argument: refused" "$?" 6
printf 'PJU1X\000\001a\000\000' | as_user "$HELPER" "$DM_USER" >/dev/null 2>&1
is "helper: an unknown request: refused" "$?" 6
{ frame P "$PIN2"; printf x; } | as_user "$HELPER" "$DM_USER" >/dev/null 2>&1
is "helper: a byte after the frame: refused" "$?" 6
head -c 70000 /dev/zero | as_user "$HELPER" "$DM_USER" >/dev/null 2>&1
is "helper: an endless input: refused" "$?" 6

mkdir -m 755 "$T/pwn"
helper_as_user "$DM_USER" "$PIN2" env SSLKEYLOGFILE="$T/pwn/keylog" OPENSSL_CONF="$T/pwn/x.cnf" \
	LD_PRELOAD="$T/pwn/evil.so" LD_LIBRARY_PATH="$T/pwn" TZ="$T/pwn/tz" \
	LOCPATH="$T/pwn" MALLOC_CHECK_=3 GCONV_PATH="$T/pwn" http_proxy=http://127.0.0.1:1 \
	PATH="$T/pwn" IFS=x LANG=xx
is "helper: a hostile environment changes nothing (the PIN still works)" "$?" 0
is "  and creates nothing" "$(ls -A "$T/pwn")" ""

helper_as_user "$DM_USER" "$PIN2" bash -c 'exec "$@" 2>&-' x
is "helper: standard error closed by the caller: still decides" "$?" 0
sleep 0
( frame P "$PIN2" | as_user bash -c 'exec "$@" >&- 2>&-' x "$HELPER" "$DM_USER" )
is "helper: standard output and error closed: exit status still the verdict" "$?" 0
as_user bash -c 'exec "$@" <&-' x "$HELPER" "$DM_USER" >/dev/null 2>&1
is "helper: standard input closed: refused (no request)" "$?" 6
okpt "  the store is still sound after all that (the PIN works)" lock_user "$PIN2"

sleep 2.2
f0=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("fail",0))' "$T/offline/$rec")
dm_log_mark
helper_as_user "$DM_USER" "wrong-pin-x" prlimit --fsize=0 --nofile=5 --cpu=1 --as=100000000 --data=100000000 --core=0 --
rc=$?
f1=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("fail",0))' "$T/offline/$rec")
# Where root may raise hard limits the helper resets them and decides; in a
# container without CAP_SYS_RESOURCE it must refuse before looking at the PIN.
if [ "$rc" = 2 ]; then
	ok "helper: caller's rlimits (fsize 0, nofile 5, as 100 MB) it cannot raise: refused unchecked" \
		dm_log_wait 'pam_jwt-unlock.*limit is too low and cannot be raised'
	is "  and nothing was compared or counted" "$f1" "$f0"
else
	is "helper: caller's rlimits (fsize 0, nofile 5, as 100 MB): reset, still decides (denied)" "$rc" 1
	is "  and the wrong PIN was counted despite fsize=0" "$f1" $((f0 + 1))
fi
sleep 2.2
helper_as_user "$DM_USER" "$PIN2" bash -c 'trap "" ALRM PIPE TERM; exec "$@"' x
is "helper: signals ignored by the caller: still decides" "$?" 0

rm -f "$T/ask/frame" "$T/ask/verdict" "$T/ask/authtok"
dm_no_token_logged "$DM_SYSLOG" "$T/log/pt.out"
ok "no PIN in the log" fails grep -qF -e "$PIN" -e "$PIN2" "$DM_SYSLOG"
done_testing
