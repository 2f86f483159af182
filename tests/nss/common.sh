# Shared setup for the NSS module's tests (sourced, bash).
#
#   . "$top_srcdir/tests/nss/common.sh"
#   nss_enter "$@"      # re-runs the script in a private mount namespace
#   nss_setup           # the namespace below; nsswitch.conf: files jwt
#
# The module reads only compile-time paths (no environment variable may
# steer a library loaded into setuid programs), so the tests give it a
# host of its own instead: in a private mount namespace (`unshare -m`),
#   - /var/lib is an overlay over the host's (nothing of the host changes)
#     with a test directory bind-mounted at /var/lib/pam_jwt-accounts;
#   - the system library directory is an overlay too, in which the built
#     libnss_jwt.so.2 is bind-mounted where glibc's dlopen finds it: the
#     tests load the very file `make install` installs;
#   - test copies of /etc/passwd, /etc/group, /etc/nsswitch.conf
#     (`passwd: files jwt`, `group: files jwt`) and /etc/security, and a
#     private /run (no nscd or userdb socket answers in our place).
# Needs root; skipped otherwise.

: "${top_srcdir:?top_srcdir is not set (run through make check, or export it)}"
: "${top_builddir:?top_builddir is not set (run through make check, or export it)}"
top_srcdir=$(cd "$top_srcdir" && pwd)
top_builddir=$(cd "$top_builddir" && pwd)
export top_srcdir top_builddir

# shellcheck source=../lib/tap.sh
. "$top_srcdir/tests/lib/tap.sh"

NSS_SO=${PJ_NSS_MODULE:-$top_builddir/nss_jwt/.libs/libnss_jwt.so.2}
MKDB=$top_builddir/tests/nss/mkdb
NSSCALL=$top_builddir/tests/nss/nsscall
NSS_DB=/var/lib/pam_jwt-accounts/accounts.db
NSS_CONF=/etc/security/pam_jwt.conf
NSS_ISS=https://idp.test
PATH=$PATH:/usr/sbin:/sbin

bail() {
	echo "Bail out! $*"
	exit 1
}

# nss_enter TOOL...: outside the namespace, check what the tests need
# (skipping the whole script when something is missing) and re-run the
# script inside `unshare -m`; inside it, return.
nss_enter() {
	if [ "${PJ_NSS_INSIDE-}" = 1 ]; then
		return 0
	fi
	[ "$(id -u)" = 0 ] || skip_all "needs root (private mount namespace)"
	local t
	for t in unshare mount getent "$@"; do
		command -v "$t" >/dev/null 2>&1 || skip_all "$t is not installed"
	done
	[ -f "$NSS_SO" ] || skip_all "module not built ($NSS_SO)"
	[ -x "$MKDB" ] && [ -x "$NSSCALL" ] || skip_all "test helpers not built (make check builds them)"
	unshare -m --propagation private true 2>/dev/null ||
		skip_all "cannot create a private mount namespace (unshare -m failed)"
	PJ_NSS_INSIDE=1 exec unshare -m --propagation private bash "$0" "$@"
	skip_all "cannot run unshare"
}

T=''
NSS_MOUNTS=()
nss_cleanup() {
	local i
	# Detach what we mounted (newest first): the overlays keep their
	# upper directories in $T.
	for ((i = ${#NSS_MOUNTS[@]} - 1; i >= 0; i--)); do
		umount -l "${NSS_MOUNTS[i]}" 2>/dev/null
	done
	if [ -n "$T" ] && [ -d "$T" ]; then
		# Never recurse into anything still mounted under $T.
		if awk -v t="$T" 'index($5, t "/") == 1 { f = 1 } END { exit !f }' \
			/proc/self/mountinfo; then
			echo "# leaving $T: something is mounted under it"
		else
			rm -rf "$T"
		fi
	fi
}

bind() {
	mount --bind "$1" "$2" || bail "cannot bind-mount $1 over $2"
	NSS_MOUNTS+=("$2")
}

# overlay DIR NAME: DIR becomes writable in this namespace only (changes
# land in $T/NAME.up).
overlay() {
	mkdir -p "$T/$2.up" "$T/$2.work"
	mount -t overlay "pj-$2" -o "lowerdir=$1,upperdir=$T/$2.up,workdir=$T/$2.work" "$1" ||
		skip_all "cannot mount an overlay on $1"
	NSS_MOUNTS+=("$1")
}

nss_setup() {
	umask 022
	T=$(mktemp -d "${TMPDIR:-/tmp}/pam_jwt_nss.XXXXXX") || bail "mktemp failed"
	chmod 755 "$T"
	trap nss_cleanup EXIT
	mount --make-rprivate / 2>/dev/null
	mount -t tmpfs -o mode=755,size=16m pj-run /run || bail "cannot mount a tmpfs on /run"
	NSS_MOUNTS+=(/run)

	# The database directory.
	overlay /var/lib varlib
	mkdir -p -m 755 /var/lib/pam_jwt-accounts "$T/db"
	bind "$T/db" /var/lib/pam_jwt-accounts

	# The module, where glibc looks for libnss_jwt.so.2.
	local libc libdir
	libc=$(ldd "$(command -v getent)" | awk '$1 ~ /^libc\.so/ {print $3}')
	libdir=$(dirname "$(readlink -f "$libc")")
	[ -d "$libdir" ] || bail "cannot find the system library directory"
	overlay "$libdir" libdir
	: >"$libdir/libnss_jwt.so.2"
	bind "$NSS_SO" "$libdir/libnss_jwt.so.2"
	NSS_LIBDIR=$libdir

	# Users, groups, the switch and pam_jwt's configuration directory.
	cp /etc/passwd "$T/passwd"
	cp /etc/group "$T/group"
	printf '%s\n' 'passwd: files jwt' 'group: files jwt' 'shadow: files' \
		'hosts: files' >"$T/nsswitch.conf"
	cp -a /etc/security "$T/security"
	chmod 644 "$T/passwd" "$T/group" "$T/nsswitch.conf"
	bind "$T/passwd" /etc/passwd
	bind "$T/group" /etc/group
	bind "$T/nsswitch.conf" /etc/nsswitch.conf
	bind "$T/security" /etc/security
	rm -f "$NSS_CONF"
	[ "$(getent passwd root | cut -d: -f3)" = 0 ] || bail "files lookups broke in the namespace"
}

# nss_db: write the test database from the spec on stdin (see mkdb.c).
nss_db() {
	"$MKDB" "$NSS_DB" || bail "mkdb failed"
}

# The standard test accounts: alice (devs, admins), bob (devs), locky
# (locked), each with a private group.
nss_std_db() {
	nss_db <<-EOF
	group|devs|2000000001|0|devs
	group|admins|2000000002|0|admins
	group|alice|1000000101|1|
	group|bob|1000000102|1|
	group|locky|1000000103|1|
	user|alice|1000000101|1000000101|0|Alice Liddell|/home/alice|/bin/bash|$NSS_ISS|sub-alice|2000000001,2000000002
	user|bob|1000000102|1000000102|0|Bob|/home/bob|/bin/sh|$NSS_ISS|sub-bob|2000000001
	user|locky|1000000103|1000000103|1|Locked Out|/home/locky|/bin/bash|$NSS_ISS|sub-locky|
	EOF
}

# nss_conf LINE...: pam_jwt's configuration, root-owned, mode 0600.
nss_conf() {
	printf '%s\n' "$@" >"$NSS_CONF"
	chmod 600 "$NSS_CONF"
}

# getent_out ARGS...: getent's output and exit status on one line each,
# stderr included (the module prints nothing, ever).
getent_out() {
	getent "$@" 2>&1
	echo "exit=$?"
}
