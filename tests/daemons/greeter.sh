#!/bin/bash
# A real greeter: LightDM on Xvfb, with a scripted greeter (python3 and
# gir1.2-lightdm-1, tests/daemons/greeter.py) in place of a person at the
# login screen, signs the test user in with the device flow.  The greeter
# answers the module's prompt with nothing, LightDM hands it the module's
# one info message with URL and code, the test approves at the auth
# center, LightDM starts the session, and the session (a script) finds the
# token cache in $XDG_RUNTIME_DIR/pam-jwt and gets a token for another
# host from it with no second sign-in.
#
# LightDM runs without systemd or logind (measured on Debian 12): its X
# server command is a wrapper that starts Xvfb with the display number and
# -auth only, it gets a private dbus-daemon --system, its own run, log and
# cache directories and PAM services of the test's own.  The greeter is
# registered in /usr/share/xgreeters, the session in
# /usr/share/xsessions, both bind-mounted test directories.
#
# Runs in private namespaces (see common.sh); needs root.
set -u
. "$top_srcdir/tests/daemons/common.sh"
dm_enter lightdm Xvfb dbus-daemon
# The system python: python3-gi is a Debian package.
[ -x /usr/bin/python3 ] || skip_all "no /usr/bin/python3"
/usr/bin/python3 -c 'import gi; gi.require_version("LightDM", "1"); from gi.repository import LightDM' \
	2>/dev/null || skip_all "python3-gi or gir1.2-lightdm-1 is not installed"
if ! getent passwd lightdm >/dev/null || [ ! -d /var/lib/lightdm ] || [ ! -d /var/lib/lightdm-data ]; then
	skip_all "no lightdm user or /var/lib/lightdm (is the lightdm package installed?)"
fi
dm_setup
dm_ac_start

SVC=pj-lightdm
G=$T/greeter
S=$T/session

# ---- PAM: the person's service and the greeter's -------------------------

dm_conf "$T/pam_jwt.conf" "audience = desktop://pj-host" "client_id = pam-jwt-cli" \
	"sso_audiences = ssh://host2" "http_timeout = 5"
cat >"/etc/pam.d/$SVC" <<EOF
auth     required  $DM_MODULE config=$T/pam_jwt.conf device_flow
account  required  $DM_MODULE config=$T/pam_jwt.conf
account  required  pam_permit.so
session  required  pam_env.so conffile=$T/pam_env.conf readenv=0 user_readenv=0
session  optional  $DM_MODULE config=$T/pam_jwt.conf
session  required  pam_permit.so
EOF
# pam_systemd would make /run/user/UID and set XDG_RUNTIME_DIR before the
# module's session line; the namespace has no systemd.
echo "XDG_RUNTIME_DIR DEFAULT=/run/user/$DM_UID" >"$T/pam_env.conf"
# The greeter's own session (as the lightdm user): nothing to check.
printf '%s\n' 'auth required pam_permit.so' 'account required pam_permit.so' \
	'session required pam_permit.so' >/etc/pam.d/pj-lightdm-greeter
mkdir -p /run/user
install -d -m 700 -o "$DM_UID" -g "$DM_UID" "/run/user/$DM_UID"
chmod 644 "$DM_AC/ca.pem"

# ---- greeter, session, X server ------------------------------------------

# The X socket directory: our own (the lock files stay in /tmp, where
# LightDM sees which display numbers are taken).
[ -d /tmp/.X11-unix ] || mkdir -m 1777 /tmp/.X11-unix
mount -t tmpfs -o mode=1777,size=1m pj-x11 /tmp/.X11-unix || bail "cannot mount a tmpfs on /tmp/.X11-unix"
mkdir -p "$T/xgreeters" "$T/xsessions" "$T/lightdm/run" "$T/lightdm/log" "$T/lightdm/cache"
install -d -m 700 -o lightdm "$G"
install -d -m 700 -o "$DM_UID" "$S"
cat >"$T/xgreeters/pj-greeter.desktop" <<EOF
[Desktop Entry]
Name=pam_jwt test greeter
Exec=/usr/bin/python3 $top_srcdir/tests/daemons/greeter.py $DM_USER pj-session $G
Type=Application
EOF
cat >"$T/xsessions/pj-session.desktop" <<EOF
[Desktop Entry]
Name=pam_jwt test session
Exec=$T/bin/session
Type=Application
EOF
# The session: what it got, then a token for another host, then it ends.
cat >"$T/bin/session" <<EOF
#!/bin/bash
id -un >$S/user
env >$S/env
ls -ld "\$XDG_RUNTIME_DIR/pam-jwt" "\$XDG_RUNTIME_DIR/pam-jwt"/* >$S/cache 2>&1
$top_builddir/tools/pam-jwt token --audience ssh://host2 </dev/null >$S/token 2>$S/token.err
touch $S/done
EOF
printf '%s\n' '#!/bin/bash' "exec \"\$@\" 2>>$S/stderr" >"$T/bin/session-wrapper"
chmod 755 "$T/bin/session" "$T/bin/session-wrapper"
# LightDM runs "X :N -seat seat0 -auth FILE -nolisten tcp vtN -novtswitch":
# Xvfb gets the display and -auth only.
cat >"$T/bin/xvfb" <<'EOF'
#!/bin/bash
args=()
while [ $# -gt 0 ]; do
	case $1 in
	:[0-9]*) args+=("$1") ;;
	-auth) args+=("$1" "$2"); shift ;;
	esac
	shift
done
exec Xvfb "${args[@]}" -screen 0 640x480x24
EOF
chmod 755 "$T/bin/xvfb"
cat >"$T/lightdm.conf" <<EOF
[LightDM]
run-directory=$T/lightdm/run
log-directory=$T/lightdm/log
cache-directory=$T/lightdm/cache
[Seat:*]
xserver-command=$T/bin/xvfb
greeter-session=pj-greeter
user-session=pj-session
session-wrapper=$T/bin/session-wrapper
pam-service=$SVC
pam-greeter-service=pj-lightdm-greeter
pam-autologin-service=pj-lightdm-greeter
EOF
bind "$T/xgreeters" /usr/share/xgreeters
# The greeter's home and LightDM's per-user data directories: test ones.
install -d -m 750 -o lightdm -g lightdm "$T/lightdm/home"
install -d -m 755 "$T/lightdm/data"
bind "$T/lightdm/home" /var/lib/lightdm
bind "$T/lightdm/data" /var/lib/lightdm-data
bind "$T/xsessions" /usr/share/xsessions

# ---- system bus and LightDM ------------------------------------------------

# A system bus of our own that starts no services (no logind, no
# AccountsService: LightDM does without them).
mkdir -p /run/dbus
cat >"$T/dbus.conf" <<'EOF'
<busconfig>
  <type>system</type>
  <listen>unix:path=/run/dbus/system_bus_socket</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <allow own="*"/>
    <allow send_destination="*"/>
    <allow receive_sender="*"/>
  </policy>
</busconfig>
EOF
dbus-daemon --config-file="$T/dbus.conf" --nofork --nopidfile >"$T/log/dbus.log" 2>&1 &
dm_track $!
for ((i = 0; i < 50; i++)); do
	[ -S /run/dbus/system_bus_socket ] && break
	sleep 0.1
done
[ -S /run/dbus/system_bus_socket ] || bail "dbus-daemon did not start: $(cat "$T/log/dbus.log")"

dm_log_mark
lightdm --config "$T/lightdm.conf" --debug >"$T/log/lightdm.out" 2>&1 &
LDM=$!
dm_track "$LDM"

dm_device_approve "LightDM: the greeter shows a code" "$G/code" 300
if [ -z "$DM_CODE" ]; then
	diag "greeter events: $(cat "$G/events" 2>/dev/null)"
	tail -n 20 "$T/log/lightdm.out" | sed 's/^/#   lightdm: /'
fi
for ((i = 0; i < 300; i++)); do
	[ -e "$S/done" ] && break
	sleep 0.1
done

# What the greeter saw, as text (port and code made fixed).
seen=$(sed -E 's/[A-Z0-9]{4}-[A-Z0-9]{4}/XXXX-XXXX/; s/127\.0\.0\.1:[0-9]+/127.0.0.1:PORT/' "$G/events")
is "LightDM: what the greeter shows" "$seen" \
	"connected
prompt secret Token: 
message info Sign in at the auth center.\\nOpen: https://127.0.0.1:PORT/device\\nCode: XXXX-XXXX
complete 1
start-session pj-session"
dm_log_has "LightDM: the issued token was accepted for $DM_USER" \
	"pam_jwt\\($SVC:auth\\): accepted token for user=\"$DM_USER\""
is "the session runs as $DM_USER" "$(cat "$S/user" 2>/dev/null)" "$DM_USER"
ok "the session's cache dir is \$XDG_RUNTIME_DIR/pam-jwt, /run/user/$DM_UID/pam-jwt" \
	grep -qx "PAM_JWT_CLI_CACHE_DIR=/run/user/$DM_UID/pam-jwt" "$S/env" &&
	grep -qx "XDG_RUNTIME_DIR=/run/user/$DM_UID" "$S/env"
ok "the session has the token cache: a 0700 directory, a 0600 login file, the user's" \
	awk -v u="$DM_USER" '
		NR == 1 && $1 == "drwx------" && $3 == u { d = 1 }
		NR > 1 && $1 == "-rw-------" && $3 == u && $NF ~ /\/login-[0-9a-f]+\.json$/ { f = 1 }
		END { exit !(d && f) }' "$S/cache"
tok=$(head -n 1 "$S/token" 2>/dev/null)
[ -n "$tok" ] && DM_TOKENS+=("$tok")
aud=$(node -e 'try { process.stdout.write(String(JSON.parse(Buffer.from(process.argv[1], "base64url")).aud)) } catch (e) {}' \
	"$(cut -d. -f2 <<<"$tok")")
is "inside the session: pam-jwt token --audience ssh://host2, no second sign-in" \
	"$aud" "ssh://host2"
[ "$aud" = ssh://host2 ] || diag "pam-jwt token: $(cat "$S/token.err" 2>/dev/null)"
ok "the tokens are not in the session's environment" \
	test "$(grep -c '^PAM_JWT_SSO=' "$S/env")" = 0
for ((i = 0; i < 50; i++)); do
	ls "/run/user/$DM_UID/pam-jwt"/login-*.json >/dev/null 2>&1 || break
	sleep 0.1
done
ok "the session ended: the token cache is gone" \
	test -z "$(ls "/run/user/$DM_UID/pam-jwt" 2>/dev/null)"

# Stop LightDM and let its X server go before the namespace ends: the X
# lock file is in the host's /tmp and must not outlive the test.
xd=$(sed -n 's/.*XServer \([0-9]*\): Launching X Server.*/\1/p' "$T/log/lightdm.out" | tail -n 1)
kill "$LDM" 2>/dev/null && wait "$LDM" 2>/dev/null
for ((i = 0; i < 50; i++)); do
	[ -n "$xd" ] && [ -e "/tmp/.X$xd-lock" ] || break
	xpid=$(tr -dc 0-9 <"/tmp/.X$xd-lock" 2>/dev/null)
	# Only our own Xvfb (its -auth file is under $T), never another's lock.
	if [ -n "$xpid" ] && grep -qF "$T/" "/proc/$xpid/cmdline" 2>/dev/null; then
		kill "$xpid" 2>/dev/null
	elif [ -n "$xpid" ] && [ ! -e "/proc/$xpid" ] && [ "$i" -ge 20 ]; then
		break
	fi
	sleep 0.1
done

dm_no_token_logged "$DM_SYSLOG" "$T/log/lightdm.out" "$T"/lightdm/log/*.log "$G/events" "$S/env"
done_testing
