#!/bin/bash
# The installed-package test: pam_jwt's Debian packages installed into a
# throw-away copy of this system, used as an administrator would, then
# removed and purged.
#
#   tests/package/installed.sh [DEBDIR]   (default: build them, nocheck)
#
# The copy: a private mount (and PID) namespace in which an overlay of /
# (its changes in a tmpfs) becomes the root of a chroot with private /run,
# /tmp and /dev; the host's files are never written.  There:
#   - dpkg -i the three packages; files, modes, conffile, the hardening of
#     the installed objects, nsswitch.conf gains "jwt", the PAM stack is
#     unchanged (the profile is Default: no);
#   - pam-auth-update --enable pam_jwt; with the shipped configuration
#     (everything commented out) passwords still log in through the real
#     /etc/pam.d/login (pamtester);
#   - a configuration for the test auth center: `pam-jwt keys refresh` (the
#     timer's command) fills the installed cache, tokens log in through
#     /etc/pam.d/login and through the real sshd with the system's
#     /etc/pam.d/sshd, passwords still do, tampered tokens do not;
#   - dpkg -r, dpkg -P: the PAM stack and nsswitch.conf are byte-identical
#     to before, no file, directory or conffile of the packages is left,
#     and nothing else of the system changed (the overlay's upper layer).
# Needs root; prints TAP.
set -u
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
export top_srcdir top_builddir
. "$top_srcdir/tests/daemons/common.sh"

PKGS=(libpam-jwt libnss-jwt pam-jwt)
TRIPLET=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || gcc -print-multiarch)
AUD=host://pj-package
PASS=Pkg-test-passw0rd

# ---- outside: build or find the packages, enter the namespace ----------

if [ "${PJ_PKG_STAGE-}" = "" ]; then
	[ "$(id -u)" = 0 ] || skip_all "needs root (overlay mount, chroot, dpkg -i)"
	for t in unshare chroot dpkg dpkg-buildpackage pamtester pam-auth-update sshd ssh \
		setpriv node curl openssl perl; do
		command -v "$t" >/dev/null 2>&1 || PATH=$PATH:/usr/sbin:/sbin command -v "$t" >/dev/null 2>&1 ||
			skip_all "$t is not installed"
	done
	grep -qw overlay /proc/filesystems || modprobe overlay 2>/dev/null ||
		skip_all "no overlay file system"
	[ -d "$top_srcdir/tests/authcenter/node_modules/oidc-provider" ] ||
		skip_all "tests/authcenter/node_modules missing (run npm ci there)"
	debs=${1-}
	if [ -z "$debs" ]; then
		debs=$(mktemp -d "${TMPDIR:-/tmp}/pam_jwt_debs.XXXXXX") || bail "mktemp failed"
		trap 'rm -rf "$debs"' EXIT
		DEB_BUILD_OPTIONS="nocheck ${DEB_BUILD_OPTIONS-}" bash "$top_srcdir/tests/package/build.sh" "$debs" >&2 ||
			bail "the packages did not build ($debs/build.log)"
	fi
	debs=$(cd "$debs" && pwd)
	for p in "${PKGS[@]}"; do
		ls "$debs/${p}_"*.deb >/dev/null 2>&1 || bail "no ${p}_*.deb in $debs"
	done
	PJ_PKG_STAGE=ns PJ_PKG_DEBS=$debs unshare -m -p -f --kill-child=TERM --mount-proc \
		--propagation private bash "$0"
	exit $?
fi

# ---- in the namespace: the overlay root --------------------------------------

if [ "$PJ_PKG_STAGE" = ns ]; then
	umask 022
	T=$(mktemp -d "${TMPDIR:-/tmp}/pam_jwt_pkg.XXXXXX") || bail "mktemp failed"
	R=$T/root
	pkg_cleanup() {
		umount -R "$R" 2>/dev/null
		umount -R "$T/rw" 2>/dev/null
		# never recurse into something still mounted (the source tree)
		if awk -v t="$T" '$5 == t || index($5, t "/") == 1 { f = 1 } END { exit !f }' \
			/proc/self/mountinfo; then
			echo "# leaving $T: something is mounted under it"
		else
			rm -rf "$T"
		fi
	}
	trap pkg_cleanup EXIT
	mkdir "$T/rw" "$R"
	mount --make-rprivate / 2>/dev/null
	mount -t tmpfs -o mode=700,size=1g pj-upper "$T/rw" || bail "cannot mount a tmpfs"
	mkdir "$T/rw/upper" "$T/rw/work"
	mount -t overlay -o "lowerdir=/,upperdir=$T/rw/upper,workdir=$T/rw/work" pj-root "$R" ||
		bail "cannot mount an overlay of /"
	mount -t proc proc "$R/proc" || bail "cannot mount /proc"
	mount -t tmpfs -o mode=755,size=64m pj-run "$R/run"
	mount -t tmpfs -o mode=1777,size=256m pj-tmp "$R/tmp"
	dm_private_dev "$R/dev"
	# What the test reads, on the private /run (no trace in the overlay):
	# the packages, the overlay's changes, the host's / as the overlay's
	# lower layer sees it, and the source tree (read-only).
	mkdir -p "$R/run/pj/debs" "$R/run/pj/upper" "$R/run/pj/lower"
	for m in "$PJ_PKG_DEBS:$R/run/pj/debs" "$T/rw/upper:$R/run/pj/upper" "/:$R/run/pj/lower"; do
		mount --bind "${m%%:*}" "${m#*:}" && mount -o remount,bind,ro "${m#*:}" ||
			bail "cannot bind ${m%%:*}"
	done
	for d in "$top_srcdir" "$top_builddir"; do
		mountpoint -q "$R$d" && continue
		mkdir -p "$R$d" && mount --rbind "$d" "$R$d" && mount -o remount,bind,ro "$R$d" ||
			bail "cannot bind $d"
	done
	rc=0
	chroot "$R" env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		HOME=/root LANG=C.UTF-8 PJ_PKG_STAGE=root PJ_DM_INSIDE=1 \
		top_srcdir="$top_srcdir" top_builddir="$top_builddir" \
		bash "$top_srcdir/tests/package/installed.sh" || rc=$?
	exit $rc
fi

# ---- in the chroot ---------------------------------------------------------------

export DEBIAN_FRONTEND=noninteractive
T=$(mktemp -d /tmp/pam_jwt_pkg.XXXXXX) || bail "mktemp failed"
chmod 755 "$T"
mkdir -p "$T/bin" "$T/log" "$T/before" "$T/after"
trap dm_cleanup EXIT
dm_syslog_start
UP=/run/pj/upper
LOW=/run/pj/lower

# The system before: the test user (with a password; the home on /tmp,
# outside the overlay) and sshd's run dir.
mkdir -m 755 /run/sshd "$T/home"
DM_HOME=$T/home/$DM_USER
useradd -m -d "$DM_HOME" -u "$DM_UID" -s /bin/bash "$DM_USER" || bail "useradd failed"
echo "$DM_USER:$PASS" | chpasswd || bail "chpasswd failed"
dm_askpass_setup

# snap DIR: checksums of the PAM stack and nsswitch.conf, and a listing
# of the overlay's upper layer (every file the system has changed so far).
snap() {
	(cd /etc && sha256sum pam.d/* nsswitch.conf) >"$1/sums"
	(cd "$UP" && find . -printf '%y %m %u %p\n' | sort) >"$1/upper"
}
snap "$T/before"

# ---- install ---------------------------------------------------------------------

debs=()
for p in "${PKGS[@]}"; do debs+=(/run/pj/debs/"${p}"_*.deb); done
dpkg -i "${debs[@]}" >"$T/log/dpkg-i.log" 2>&1
ok "dpkg -i ${PKGS[*]}" [ $? -eq 0 ]
[ $? -eq 0 ] || sed 's/^/#   /' "$T/log/dpkg-i.log" | tail -20
for p in "${PKGS[@]}"; do
	is "$p is installed" "$(dpkg-query -W -f '${db:Status-Status}' "$p" 2>&1)" installed
	dpkg -L "$p" >>"$T/files"
done

SO=/lib/$TRIPLET/security/pam_jwt.so
NSS=/lib/$TRIPLET/libnss_jwt.so.2
FETCH=/usr/libexec/pam_jwt/pam_jwt-fetch
for f in "$SO" "$NSS" /usr/bin/pam-jwt "$FETCH" /usr/share/pam-configs/pam_jwt \
	/lib/systemd/system/pam-jwt-keys.service /lib/systemd/system/pam-jwt-keys.timer; do
	ok "installed: $f" [ -f "$f" ]
done
is "installed: /usr/bin/pam-jwt-askpass links to pam-jwt" "$(readlink /usr/bin/pam-jwt-askpass)" pam-jwt
ok "the module's compiled fetch_helper default is the installed helper" grep -qF "$FETCH" "$SO"
is "/etc/security/pam_jwt.conf is a conffile of libpam-jwt" \
	"$(dpkg-query -W -f '${Conffiles}' libpam-jwt | awk '{print $1}' | tr -d ' ')" /etc/security/pam_jwt.conf
is "the shipped configuration sets nothing" "$(grep -cvE '^[[:space:]]*(#|$)' /etc/security/pam_jwt.conf)" 0
for d in "/var/cache/pam_jwt 755 root" "/var/lib/pam_jwt 700 root" "/var/lib/pam_jwt-accounts 755 root"; do
	set -- $d
	is "directory $1: mode $2, owner $3" "$(stat -c '%a %U' "$1" 2>&1)" "$2 $3"
done
out=$(bash "$top_srcdir/tests/hardening.sh" "$SO" "$NSS" /usr/bin/pam-jwt "$FETCH" 2>&1)
ok "installed objects are hardened (tests/hardening.sh)" [ $? -eq 0 ]
grep '^not ok' <<<"$out" | sed 's/^/#   /'

is "installing changed no PAM stack file (the profile is Default: no)" \
	"$(cd /etc && sha256sum pam.d/* | diff - <(grep ' pam.d/' "$T/before/sums"))" ""
ok "nsswitch.conf: passwd gains jwt" grep -qE '^passwd:.*[[:space:]]jwt([[:space:]]|$)' /etc/nsswitch.conf
ok "nsswitch.conf: group gains jwt" grep -qE '^group:.*[[:space:]]jwt([[:space:]]|$)' /etc/nsswitch.conf
is "getent passwd still finds $DM_USER (files)" "$(getent passwd "$DM_USER" | cut -d: -f3)" "$DM_UID"
getent passwd no-such-user-pj >/dev/null
is "getent passwd of an unknown name: not found, no crash" "$?" 2

# ---- the profile, unconfigured -------------------------------------------------

# pt SERVICE USER ANSWER: pamtester authenticate + acct_mgmt through the
# system's own /etc/pam.d/SERVICE; ANSWER to every prompt.  Sets PT_OUT, PT_RC.
pt() {
	dm_log_mark
	PT_OUT=$(printf '%s\n' "$3" "$3" | timeout 30 pamtester -v "$1" "$2" authenticate acct_mgmt 2>&1)
	PT_RC=$?
}
pt_ok() {
	ok "$1" [ "$PT_RC" -eq 0 ]
	[ "$PT_RC" -eq 0 ] || { printf '%s\n' "$PT_OUT" | dm_redact | sed 's/^/#   /'; dm_log_new | dm_redact | sed 's/^/#   log: /'; }
}
pt_refused() {
	ok "$1" [ "$PT_RC" -ne 0 ]
}

pam-auth-update --enable pam_jwt >"$T/log/pau.log" 2>&1
ok "pam-auth-update --enable pam_jwt" [ $? -eq 0 ]
ok "common-auth: pam_jwt is the first auth module" \
	eval "grep -E '^auth' /etc/pam.d/common-auth | head -n 1 | grep -q pam_jwt.so"
ok "common-account and common-session have pam_jwt" \
	eval "grep -q pam_jwt.so /etc/pam.d/common-account && grep -q pam_jwt.so /etc/pam.d/common-session"
pt login "$DM_USER" "$PASS"
pt_ok "unconfigured module: the password logs in through /etc/pam.d/login"
dm_log_has "unconfigured module: it says so in the log" 'pam_jwt\(login:auth\): configuration error'
pt login "$DM_USER" "not-the-password"
pt_refused "unconfigured module: a wrong password is refused"
dm_ac_start
dm_mint tok --user "$DM_USER" --audience "$AUD" --alg ES256
pt login "$DM_USER" "$tok"
pt_refused "unconfigured module: a valid token does not log in"
# sshd: the system's binary, so the system's /etc/pam.d/sshd.
dm_sshd_start "$(command -v sshd)" "$T/log/sshd.log" "PasswordAuthentication yes"
dm_answer "$PASS"
dm_ssh keyboard-interactive "$DM_USER" "id -un"
is "unconfigured module: sshd (/etc/pam.d/sshd) takes the password" "$OUT" "$DM_USER"

# ---- configured for the test auth center ---------------------------------------

{
	echo "issuer = $DM_ISS"
	echo "audience = $AUD"
	echo "ca_file = $DM_AC/ca.pem"
} >>/etc/security/pam_jwt.conf
out=$(pam-jwt keys refresh 2>&1)
ok "pam-jwt keys refresh (the timer's command) with the installed configuration" [ $? -eq 0 ]
[ -n "$out" ] && printf '%s\n' "$out" | sed 's/^/#   /'
ok "the key cache is in /var/cache/pam_jwt" [ -n "$(ls -A /var/cache/pam_jwt)" ]

dm_mint tok --user "$DM_USER" --audience "$AUD" --alg ES256
pt login "$DM_USER" "$tok"
pt_ok "token logs in through /etc/pam.d/login"
dm_log_has "the module logged the acceptance" "pam_jwt\\(login:auth\\): accepted token for user=\"$DM_USER\""
pt login "$DM_USER" "$(dm_tamper "$tok")"
pt_refused "a tampered token is refused"
pt login "$DM_USER" "$PASS"
pt_ok "the password still logs in (pam_unix after pam_jwt)"

dm_mint tok --user "$DM_USER" --audience "$AUD" --alg EdDSA
dm_answer "$tok"
dm_ssh keyboard-interactive "$DM_USER" "id -un"
is "sshd (/etc/pam.d/sshd): token logs in" "$OUT" "$DM_USER"
[ "$OUT" = "$DM_USER" ] || { echo "$ERR" | dm_redact | sed 's/^/#   ssh: /'; tail -5 "$T/log/sshd.log" | sed 's/^/#   sshd: /'; }
dm_answer "$PASS"
dm_ssh keyboard-interactive "$DM_USER" "id -un"
is "sshd: the password logs in" "$OUT" "$DM_USER"
dm_answer "$(dm_tamper "$tok")"
dm_ssh keyboard-interactive "$DM_USER" "id -un"
ok "sshd: a tampered token is refused" eval '[ "$RC" -ne 0 ] && [ -z "$OUT" ]'
for p in "${DM_PIDS[@]}"; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null; done
DM_PIDS=()

# ---- remove and purge ------------------------------------------------------------

dpkg -r "${PKGS[@]}" >"$T/log/dpkg-r.log" 2>&1
ok "dpkg -r ${PKGS[*]}" [ $? -eq 0 ]
is "after remove: the PAM stack and nsswitch.conf are byte-identical to before" \
	"$(cd /etc && sha256sum pam.d/* nsswitch.conf | diff - "$T/before/sums")" ""
ok "after remove: the module is gone" [ ! -e "$SO" ]
ok "after remove: the conffile stays until purge" [ -f /etc/security/pam_jwt.conf ]

dpkg -P "${PKGS[@]}" >"$T/log/dpkg-p.log" 2>&1
ok "dpkg -P ${PKGS[*]}" [ $? -eq 0 ]
grep -i 'warning' "$T/log/dpkg-p.log" | sed 's/^/#   /'
for p in "${PKGS[@]}"; do
	st=$(dpkg-query -W -f '${db:Status-Status}' "$p" 2>/dev/null)
	ok "$p is purged (dpkg knows no files or conffiles of it)" [ -z "$st" ] || [ "$st" = not-installed ]
done
# Every path the packages had is gone, unless the system had it before.
left=$(sort -u "$T/files" | while read -r f; do
	[ -e "$f" ] || [ -L "$f" ] || continue
	[ -e "$LOW$f" ] || [ -L "$LOW$f" ] || echo "$f"
done)
is "no file or directory of the packages is left (dpkg -L)" "$left" ""
for f in /etc/security/pam_jwt.conf /var/cache/pam_jwt /var/lib/pam_jwt /var/lib/pam_jwt-accounts; do
	ok "purged: $f" [ ! -e "$f" ]
done
is "after purge: the PAM stack and nsswitch.conf are byte-identical to before" \
	"$(cd /etc && sha256sum pam.d/* nsswitch.conf | diff - "$T/before/sums")" ""

# Nothing else changed: every entry the overlay's upper layer gained since
# the start is dpkg's, debconf's, man-db's or the loader cache's book-
# keeping, or a directory or file that is the same as the system's.
snap "$T/after"
changed=$(comm -13 <(awk '{print $4}' "$T/before/upper" | sort) <(awk '{print $4}' "$T/after/upper" | sort) |
	grep -vE '^\./(var/lib/dpkg|var/log|var/cache/(debconf|man)|var/lib/pam)(/|$)|^\./(etc/ld\.so\.cache|var/cache/ldconfig/aux-cache)$' |
	while read -r p; do
		f=${p#.}
		if [ -d "$UP$f" ] && [ ! -L "$UP$f" ] && [ -d "$LOW$f" ]; then
			continue # a directory copied up, still there on the system
		elif [ -f "$UP$f" ] && [ -f "$LOW$f" ] && cmp -s "$UP$f" "$LOW$f"; then
			continue # rewritten with the same bytes
		fi
		echo "$f"
	done)
is "nothing else of the system changed (overlay upper layer)" "$changed" ""

dm_no_token_logged "$DM_SYSLOG" "$T/log/sshd.log" "$T/log/dpkg-i.log"
done_testing
