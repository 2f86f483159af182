# Shared setup for the real-daemon tests (sourced, bash).
#
# A test script does:
#
#   set -u
#   . "$top_srcdir/tests/daemons/common.sh"
#   dm_enter "$@"          # re-runs the script inside private namespaces
#   dm_setup               # temp dir, fake /etc, syslog catcher, /run, /dev
#   dm_ac_start            # the test auth center (tests/authcenter)
#   ... cases ...
#   done_testing
#
# Nothing on the host changes.  The script runs as PID 1 of a new PID
# namespace inside a private mount namespace (`unshare -m -p -f`); every
# daemon it starts dies with it at the latest.  In that namespace test
# copies are bind-mounted over /etc/passwd, /etc/shadow, /etc/group,
# /etc/nsswitch.conf, /etc/pam.d (and, for sudo, /etc/sudoers and
# /etc/sudoers.d); /run and /dev are private tmpfs mounts, /dev/log is a
# socket read by a small perl process (so the module's pam_syslog lines
# land in $T/syslog), and the login records in /var/log are test files.
#
# The test user is pjtest (uid/gid 4242, home $T/home/pjtest, /bin/bash).
# Tokens come from the test auth center as that user (or another).
# Never print a token: diagnostics go through dm_redact.

: "${top_srcdir:?top_srcdir is not set (run through make check, or export it)}"
: "${top_builddir:?top_builddir is not set (run through make check, or export it)}"
top_srcdir=$(cd "$top_srcdir" && pwd)
top_builddir=$(cd "$top_builddir" && pwd)
export top_srcdir top_builddir

# shellcheck source=../lib/tap.sh
. "$top_srcdir/tests/lib/tap.sh"

# PJ_DM_MODULE: another module file to test (e.g. an installed one).
DM_MODULE=${PJ_DM_MODULE:-$top_builddir/pam_jwt/.libs/pam_jwt.so}
DM_ACSH=$top_srcdir/tests/authcenter/ac.sh
DM_USER=pjtest
DM_UID=4242
DM_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
# sshd, visudo, unshare live in sbin, which a test runner's PATH may lack.
PATH=$PATH:/usr/sbin:/sbin

# ---- entering the namespaces ------------------------------------------

# dm_enter TOOL...: outside the namespace, check that the tools and the
# rest of what the tests need are there (skipping the whole script when
# something is missing) and re-run the script inside `unshare`; inside
# it, return.
dm_enter() {
	if [ "${PJ_DM_INSIDE-}" = 1 ]; then
		return 0
	fi
	[ "$(id -u)" = 0 ] ||
		skip_all "needs root (private mount namespace, test users, real daemons)"
	local t
	for t in unshare setpriv perl node curl openssl timeout mount "$@"; do
		command -v "$t" >/dev/null 2>&1 || skip_all "$t is not installed"
	done
	[ -f "$DM_MODULE" ] || skip_all "module not built ($DM_MODULE)"
	[ -d "$top_srcdir/tests/authcenter/node_modules/oidc-provider" ] ||
		skip_all "tests/authcenter/node_modules missing (run npm ci there)"
	local -a ns=(-m -p -f --kill-child=TERM --mount-proc --propagation private)
	if ! unshare "${ns[@]}" true 2>/dev/null; then
		# A PID namespace is a safety net only; a mount namespace is a must.
		ns=(-m --propagation private)
		unshare "${ns[@]}" true 2>/dev/null ||
			skip_all "cannot create a private mount namespace (unshare -m failed)"
	fi
	PJ_DM_INSIDE=1 exec unshare "${ns[@]}" bash "$0"
	skip_all "cannot run unshare"
}

# ---- setup and cleanup -------------------------------------------------

DM_PIDS=()
DM_AC=''
T=''

bail() {
	echo "Bail out! $*"
	exit 1
}

# Processes started by the test, stopped by PID at exit.
dm_track() { DM_PIDS+=("$1"); }

dm_cleanup() {
	local p
	for p in "${DM_PIDS[@]}"; do
		kill "$p" 2>/dev/null && wait "$p" 2>/dev/null
	done
	[ -n "$DM_AC" ] && "$DM_ACSH" stop "$DM_AC" >/dev/null 2>&1
	[ -n "${DM_LOGPID-}" ] && kill "$DM_LOGPID" 2>/dev/null && wait "$DM_LOGPID" 2>/dev/null
	if [ -n "$T" ] && [ -d "$T" ]; then
		# Never recurse into something mounted under the temp dir.
		if awk -v t="$T" '$5 == t || index($5, t "/") == 1 { f = 1 } END { exit !f }' \
			/proc/self/mountinfo; then
			echo "# leaving $T: something is mounted under it"
		elif [ -n "${PJ_DM_KEEP-}" ]; then
			echo "# kept $T"
		else
			rm -rf "$T"
		fi
	fi
}

# bind SRC DST: bind-mount a test copy over a host path (namespace only).
bind() {
	mount --bind "$1" "$2" || bail "cannot bind-mount $1 over $2"
}

# dm_private_dev DIR: mount a tmpfs with the usual device nodes (bound
# from the host's /dev), pts, shm and the fd links on DIR (/dev, or the
# /dev of a chroot), so that our /dev/log touches nothing of the host's.
dm_private_dev() {
	local n
	mkdir "$T/dev"
	mount -t tmpfs -o mode=755,size=1m pj-dev "$T/dev" || bail "cannot mount a tmpfs for /dev"
	for n in null zero full random urandom tty; do
		[ -e "/dev/$n" ] || continue
		touch "$T/dev/$n"
		bind "/dev/$n" "$T/dev/$n"
	done
	if [ -d /dev/pts ]; then
		mkdir "$T/dev/pts"
		bind /dev/pts "$T/dev/pts"
		ln -s pts/ptmx "$T/dev/ptmx"
	fi
	mkdir -m 1777 "$T/dev/shm"
	ln -s /proc/self/fd "$T/dev/fd"
	ln -s /proc/self/fd/0 "$T/dev/stdin"
	ln -s /proc/self/fd/1 "$T/dev/stdout"
	ln -s /proc/self/fd/2 "$T/dev/stderr"
	mount --move "$T/dev" "$1" || bail "cannot move the private /dev in place"
	rmdir "$T/dev"
}

# dm_setup: temp dir, private /run and /dev with a syslog socket, fake
# users, a copy of /etc/pam.d, the askpass script.
dm_setup() {
	umask 022
	T=$(mktemp -d "${TMPDIR:-/tmp}/pam_jwt_dm.XXXXXX") || bail "mktemp failed"
	chmod 755 "$T"
	trap dm_cleanup EXIT
	trap 'exit 129' HUP
	trap 'exit 130' INT
	trap 'exit 143' TERM
	mkdir -p "$T/etc" "$T/bin" "$T/home" "$T/cache" "$T/log"
	chmod 700 "$T/cache"

	# Our own mount table from here on.
	mount --make-rprivate / 2>/dev/null

	# /run: a private tmpfs (sshd's privsep dir, sudo's timestamps, no
	# nscd or systemd-userdb socket that could answer for the real users).
	mount -t tmpfs -o mode=755,size=16m pj-run /run || bail "cannot mount a tmpfs on /run"
	mkdir -m 755 /run/sshd /run/sudo

	# /dev: a private tmpfs with the usual nodes and our /dev/log.
	dm_private_dev /dev
	dm_syslog_start

	# Login records: sshd writes btmp on failures.
	local f
	for f in /var/log/btmp /var/log/wtmp /var/log/lastlog /var/log/faillog; do
		[ -f "$f" ] || continue
		: >"$T/log/${f##*/}"
		chown --reference="$f" "$T/log/${f##*/}"
		chmod --reference="$f" "$T/log/${f##*/}"
		bind "$T/log/${f##*/}" "$f"
	done

	# Users: copies of the host's files plus pjtest.
	awk -F: -v u="$DM_USER" -v id="$DM_UID" '$1 != u && $3 != id' /etc/passwd >"$T/etc/passwd"
	echo "$DM_USER:x:$DM_UID:$DM_UID:pam_jwt test user:$T/home/$DM_USER:/bin/bash" >>"$T/etc/passwd"
	awk -F: -v u="$DM_USER" -v id="$DM_UID" '$1 != u && $3 != id' /etc/group >"$T/etc/group"
	echo "$DM_USER:x:$DM_UID:" >>"$T/etc/group"
	awk -F: -v u="$DM_USER" '$1 != u' /etc/shadow >"$T/etc/shadow"
	echo "$DM_USER:*:20000:0:99999:7:::" >>"$T/etc/shadow"
	chmod 644 "$T/etc/passwd" "$T/etc/group"
	chmod 640 "$T/etc/shadow"
	chgrp shadow "$T/etc/shadow" 2>/dev/null
	printf '%s\n' 'passwd: files' 'group: files' 'shadow: files' 'gshadow: files' \
		'hosts: files' >"$T/etc/nsswitch.conf"
	chmod 644 "$T/etc/nsswitch.conf"
	bind "$T/etc/passwd" /etc/passwd
	bind "$T/etc/group" /etc/group
	bind "$T/etc/shadow" /etc/shadow
	bind "$T/etc/nsswitch.conf" /etc/nsswitch.conf
	mkdir -m 755 "$T/home/$DM_USER"
	chown "$DM_UID:$DM_UID" "$T/home/$DM_USER"
	[ "$(getent passwd "$DM_USER" | cut -d: -f3)" = "$DM_UID" ] ||
		bail "the test user is not visible in the namespace"

	# PAM services: a copy of the host's, tests add or replace files.
	cp -a /etc/pam.d "$T/pam.d" || bail "cannot copy /etc/pam.d"
	bind "$T/pam.d" /etc/pam.d

	dm_askpass_setup
}

# ---- syslog ------------------------------------------------------------

DM_SYSLOG=''

# A datagram socket at /dev/log whose messages go to $T/syslog, one a line.
dm_syslog_start() {
	DM_SYSLOG=$T/syslog
	: >"$DM_SYSLOG"
	perl -MSocket -MIO::Handle -e '
		my ($path, $out) = @ARGV;
		socket(my $s, PF_UNIX, SOCK_DGRAM, 0) or die "socket: $!\n";
		unlink $path;
		bind($s, pack_sockaddr_un($path)) or die "bind $path: $!\n";
		chmod 0666, $path;
		open(my $o, ">>", $out) or die "$out: $!\n";
		$o->autoflush(1);
		while (defined(recv($s, my $m, 65536, 0))) {
			$m =~ s/\n+\z//;
			print $o "$m\n";
		}' /dev/log "$DM_SYSLOG" 2>"$T/log/syslog.err" &
	DM_LOGPID=$!
	local i
	for ((i = 0; i < 100; i++)); do
		[ -S /dev/log ] && return 0
		sleep 0.05
	done
	bail "syslog catcher did not start: $(cat "$T/log/syslog.err")"
}

# dm_log_mark: remember how far the log is (for dm_log_wait / dm_log_new).
dm_log_mark() { DM_MARK=$(wc -l <"$DM_SYSLOG"); }

# The lines logged since dm_log_mark.
dm_log_new() { tail -n +"$((DM_MARK + 1))" "$DM_SYSLOG"; }

# dm_log_wait ERE: wait (up to 3 s) until a line since the mark matches.
dm_log_wait() {
	local i
	for ((i = 0; i < 60; i++)); do
		dm_log_new | grep -Eq -- "$1" && return 0
		sleep 0.05
	done
	return 1
}

# dm_log_has NAME ERE: a TAP case that the module logged a matching line
# since the mark (shows what it logged instead on failure).
dm_log_has() {
	if dm_log_wait "$2"; then
		ok "$1" true
	else
		ok "$1" false
		dm_log_new | grep 'pam_jwt' | dm_redact | sed 's/^/#   log: /'
	fi
}

# dm_log_lacks NAME ERE: a TAP case that no line since the mark matches
# (after a short grace time for lines still on their way).
dm_log_lacks() {
	sleep 0.3
	if dm_log_new | grep -Eq -- "$2"; then
		ok "$1" false
		dm_log_new | grep -E -- "$2" | dm_redact | sed 's/^/#   log: /'
	else
		ok "$1" true
	fi
}

# Cut every long base64url run (a token or a part of one) to a prefix.
dm_redact() {
	sed -E 's/([A-Za-z0-9_-]{12})[A-Za-z0-9_.\\-]{20,}/\1.../g'
}

# ---- the auth center ---------------------------------------------------

# dm_ac_start: start the test auth center in $T/ac, set DM_ISS.
dm_ac_start() {
	DM_AC=$T/ac
	DM_ISS=$("$DM_ACSH" start "$DM_AC" 2>"$T/log/ac-start.err") ||
		bail "auth center did not start: $(tail -n 3 "$T/log/ac-start.err")"
	# Default users.json has no pjtest: give it none until a test says so.
	dm_groups '[]'
}

# dm_groups JSON-ARRAY: the groups the auth center gives pjtest from now
# on (alice and bob keep the defaults).
dm_groups() {
	cat >"$DM_AC/users.json" <<-EOF
	{ "$DM_USER": { "groups": $1 },
	  "alice": { "groups": ["admins", "devs"] },
	  "bob": { "groups": ["devs"] } }
	EOF
}

DM_TOKENS=()

# dm_mint VAR ARGS...: `ac.sh mint` (device flow) into VAR.  A failed mint
# aborts the script: a refusal test must never pass on an empty token.
dm_mint() {
	local _dm_var=$1 _dm_tok
	shift
	_dm_tok=$("$DM_ACSH" mint "$DM_AC" "$@" 2>"$T/log/mint.err") && [ -n "$_dm_tok" ] ||
		bail "ac.sh mint $* failed: $(tail -n 3 "$T/log/mint.err")"
	DM_TOKENS+=("$_dm_tok")
	printf -v "$_dm_var" '%s' "$_dm_tok"
}

# dm_tamper TOKEN: the token with one character of its signature changed
# (still a well-formed JWS, so the signature check is what refuses it).
dm_tamper() {
	local t=$1 sig i c
	sig=${t##*.}
	i=$((${#sig} / 2))
	c=${sig:i:1}
	if [ "$c" = A ]; then c=B; else c=A; fi
	printf '%s' "${t%.*}.${sig:0:i}$c${sig:i+1}"
}

# dm_conf FILE LINES...: a pam_jwt configuration for the auth center:
# its issuer and CA, a cache in the temp dir, then LINES.
dm_conf() {
	local f=$1
	shift
	{
		echo "issuer = $DM_ISS"
		echo "ca_file = $DM_AC/ca.pem"
		echo "cache_dir = $T/cache"
		echo "fetch_helper = $top_builddir/pam_jwt/pam_jwt-fetch"
		printf '%s\n' "$@"
	} >"$f"
	chmod 600 "$f"
}

# ---- sshd and the OpenSSH client -----------------------------------------

# dm_sshd_start EXE LOG [CONFIG-LINE...]: start the sshd binary (or link)
# EXE, whose basename is its PAM service, on a free port of 127.0.0.1 with
# a test host key, PAM on and public keys off; the CONFIG-LINEs come after
# (PasswordAuthentication, ...).  Sets PORT; bails when it does not start.
dm_sshd_start() {
	local exe=$1 log=$2 p pid i
	shift 2
	[ -f "$T/ssh_host_ed25519_key" ] ||
		ssh-keygen -q -t ed25519 -N '' -f "$T/ssh_host_ed25519_key" || bail "ssh-keygen failed"
	PORT=''
	for _ in 1 2 3 4 5 6 7 8; do
		p=$((20000 + RANDOM % 40000))
		{
			cat <<-EOF
			ListenAddress 127.0.0.1
			Port $p
			HostKey $T/ssh_host_ed25519_key
			PidFile $T/sshd.pid
			UsePAM yes
			KbdInteractiveAuthentication yes
			PermitEmptyPasswords no
			PubkeyAuthentication no
			HostbasedAuthentication no
			GSSAPIAuthentication no
			AuthorizedKeysFile none
			PermitRootLogin no
			MaxAuthTries 10
			UseDNS no
			PrintMotd no
			PrintLastLog no
			X11Forwarding no
			AllowTcpForwarding no
			LogLevel VERBOSE
			EOF
			printf '%s\n' "$@"
		} >"$T/sshd_config"
		: >"$log"
		"$exe" -D -f "$T/sshd_config" -E "$log" </dev/null &
		pid=$!
		for ((i = 0; i < 100; i++)); do
			grep -q "Server listening on 127.0.0.1 port $p" "$log" && break
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.05
		done
		if grep -q "Server listening on 127.0.0.1 port $p" "$log"; then
			PORT=$p
			dm_track "$pid"
			return 0
		fi
		kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	sed 's/^/# /' "$log"
	bail "sshd did not start"
}

# dm_ssh METHOD USER COMMAND: ssh (run by the test user, home DM_HOME)
# as USER with METHOD (keyboard-interactive or password) to the sshd of
# dm_sshd_start, answering through the askpass; runs COMMAND.  Sets OUT
# (stdout), ERR (stderr), RC.
dm_ssh() {
	local home=${DM_HOME:-$T/home/$DM_USER}
	dm_log_mark
	RC=0
	OUT=$(timeout 60 setsid -w setpriv --reuid="$DM_UID" --regid="$DM_UID" --init-groups \
		env -i PATH="$DM_PATH" HOME="$home" DISPLAY=:0 \
		SSH_ASKPASS="$DM_ASKPASS" SSH_ASKPASS_REQUIRE=force \
		ssh -F /dev/null -p "$PORT" -T \
		-o BatchMode=no -o StrictHostKeyChecking=no \
		-o UserKnownHostsFile="$home/known_hosts" -o GlobalKnownHostsFile=/dev/null \
		-o PreferredAuthentications="$1" -o PubkeyAuthentication=no \
		-o NumberOfPasswordPrompts=1 -o ConnectTimeout=20 -o LogLevel=ERROR \
		"$2@127.0.0.1" "$3" </dev/null 2>"$T/log/ssh.err") || RC=$?
	ERR=$(cat "$T/log/ssh.err")
}

# ---- the token helper as the askpass ------------------------------------

# dm_helper_login AUDIENCE LINE...: the test user logs in once with the
# token helper (`pam-jwt login`, the device flow; the test plays the user
# at the verification page with `ac.sh device-approve`), with client.conf
# LINEs (issuer, client id, CA and the given ones).  Then DM_ASKPASS is the
# `pam-jwt-askpass` link: from here on the daemons get their tokens from
# the helper alone.  Returns non-zero when the login did not succeed.
dm_helper_login() {
	local aud=$1 home=$T/home/$DM_USER code='' i pid l
	shift
	DM_CLI=$top_builddir/tools/pam-jwt
	mkdir -p -m 700 "$home/.config" "$home/.config/pam-jwt"
	{
		echo "issuer = $DM_ISS"
		echo "client_id = pam-jwt-cli"
		echo "ca_file = $DM_AC/ca.pem"
		for l in "$@"; do echo "$l"; done
	} >"$home/.config/pam-jwt/client.conf"
	chown -R "$DM_UID:$DM_UID" "$home/.config"
	chmod 644 "$DM_AC/ca.pem"
	setpriv --reuid="$DM_UID" --regid="$DM_UID" --init-groups \
		env -i PATH="$DM_PATH" HOME="$home" \
		"$DM_CLI" login --no-qr --audience "$aud" >"$T/log/helper-login.out" 2>&1 &
	pid=$!
	for ((i = 0; i < 100; i++)); do
		code=$(sed -n 's/.*enter the code: *\([A-Z0-9-]*\).*/\1/p' "$T/log/helper-login.out" | head -n 1)
		[ -n "$code" ] && break
		sleep 0.1
	done
	[ -n "$code" ] && "$DM_ACSH" device-approve "$DM_AC" "$code" "$DM_USER" >/dev/null 2>&1
	wait "$pid" || return 1
	ln -sf "$DM_CLI" "$T/bin/pam-jwt-askpass"
	DM_ASKPASS=$T/bin/pam-jwt-askpass
}

# dm_device_approve NAME FILE TENTHS: wait (up to TENTHS tenths of a
# second) until FILE holds the user code of a device flow (written there by
# the test's stand-in for the person), a TAP case NAME that it did, then
# approve the code at the auth center as the test user.  Sets DM_CODE.
dm_device_approve() {
	local i
	for ((i = 0; i < $3; i++)); do
		[ -s "$2" ] && break
		sleep 0.1
	done
	DM_CODE=$(cat "$2" 2>/dev/null)
	ok "$1" test -n "$DM_CODE"
	"$DM_ACSH" device-approve "$DM_AC" "$DM_CODE" "$DM_USER" >"$T/log/approve.out" 2>&1 ||
		diag "device-approve failed: $(cat "$T/log/approve.out")"
}

# ---- askpass -------------------------------------------------------------

# One askpass program for ssh and sudo (both run it as pjtest).  It
# logs every prompt it gets to $T/ask/prompts and answers from
# $T/ask/part.N: part 1 for the first prompt, part N for a prompt that
# says "(part N)"; no such file: it fails (the daemon sees a cancel).
dm_askpass_setup() {
	mkdir -m 700 "$T/ask"
	chown "$DM_UID:$DM_UID" "$T/ask"
	cat >"$T/bin/askpass" <<-EOF
	#!/bin/bash
	dir=$T/ask
	printf '%s\n' "\$1" >>"\$dir/prompts"
	n=1
	case \$1 in
	*"(part "[0-9]*")"*) n=\${1##*(part }; n=\${n%%)*} ;;
	esac
	[ -f "\$dir/part.\$n" ] || exit 1
	# One write: ssh reads at most 1023 bytes and then closes the pipe; a
	# second write (the newline) could then fail and fail the askpass.
	printf '%s\n' "\$(cat "\$dir/part.\$n")"
	EOF
	chmod 755 "$T/bin/askpass"
	DM_ASKPASS=$T/bin/askpass
}

# dm_answer TOKEN [CHUNK]: what the askpass answers.  With CHUNK, the
# token is cut into parts of CHUNK characters, each but the last followed
# by a backslash (the chunked entry convention).  Clears the prompt log.
dm_answer() {
	local tok=$1 chunk=${2:-0} n=1 rest
	rm -f "$T"/ask/part.* "$T/ask/prompts"
	if [ "$chunk" -eq 0 ] || [ "${#tok}" -le "$chunk" ]; then
		printf '%s' "$tok" >"$T/ask/part.1"
	else
		rest=$tok
		while [ "${#rest}" -gt "$chunk" ]; do
			printf '%s\\' "${rest:0:chunk}" >"$T/ask/part.$n"
			rest=${rest:chunk}
			n=$((n + 1))
		done
		printf '%s' "$rest" >"$T/ask/part.$n"
	fi
	: >"$T/ask/prompts"
	chown "$DM_UID:$DM_UID" "$T"/ask/part.* "$T/ask/prompts"
	chmod 600 "$T"/ask/part.* "$T/ask/prompts"
	DM_NPARTS=$n
}

# The prompts the askpass got since dm_answer, one a line.
dm_prompts() { cat "$T/ask/prompts"; }

# The longest answer the askpass gives (in characters, without newline).
dm_longest_part() {
	local f m=0 l
	for f in "$T"/ask/part.*; do
		l=$(wc -c <"$f")
		[ "$l" -gt "$m" ] && m=$l
	done
	echo "$m"
}

# ---- TAP extras --------------------------------------------------------------

# dm_todo REASON NAME COMMAND...: like `ok`, for a known module bug: a TAP
# TODO case (the harness counts a failure as expected, XFAIL, and a pass
# as XPASS, which tells that the bug is fixed and the TODO can go).
# Uses tap.sh's counter.
dm_todo() {
	local why=$1 name=$2
	shift 2
	_tap_n=$((_tap_n + 1))
	if "$@"; then
		echo "ok $_tap_n - $name # TODO $why"
	else
		echo "not ok $_tap_n - $name # TODO $why"
	fi
}

# ---- at the end ----------------------------------------------------------

# dm_no_token_logged LOGFILES...: a TAP case that no token minted in this
# run (nor its signature) appears in the given logs.
dm_no_token_logged() {
	local t f leak=''
	for t in "${DM_TOKENS[@]}"; do
		for f in "$@"; do
			[ -f "$f" ] || continue
			if grep -qF -- "${t##*.}" "$f" || grep -qF -- "${t%.*}" "$f"; then
				leak="$leak ${f##*/}"
			fi
		done
	done
	ok "no token or signature in the logs (${#DM_TOKENS[@]} tokens checked)" [ -z "$leak" ]
	[ -z "$leak" ] || diag "found in:$leak"
}
