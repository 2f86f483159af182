#!/bin/bash
# The real su (util-linux, setuid root) with pam_jwt as its PAM stack, run
# by an unprivileged user whose environment is hostile: su keeps the
# caller's environment while PAM runs as root.  Every variable that a
# library of the module could read (libcurl, OpenSSL, glibc's resolver and
# time zone code) points at something of the attacker's: paths that must
# not be created, a CA of the attacker's, a proxy of the attacker's.  A
# login that has to fetch the auth center's keys must then create no
# file, use no proxy, change no trust and reach the same decision as with
# a clean environment.
#
# Runs in private namespaces (see common.sh); needs root.
set -u
. "$top_srcdir/tests/daemons/common.sh"
dm_enter su python3
dm_setup
dm_ac_start

AUD=su://pj-host
EVIL=pjevil
EVIL_UID=4343

# The attacker: another unprivileged user, who asks su for pjtest.
echo "$EVIL:x:$EVIL_UID:$EVIL_UID::$T/home/$EVIL:/bin/bash" >>"$T/etc/passwd"
echo "$EVIL:x:$EVIL_UID:" >>"$T/etc/group"
echo "$EVIL:*:20000:0:99999:7:::" >>"$T/etc/shadow"
mkdir -m 700 "$T/home/$EVIL"
chown "$EVIL_UID:$EVIL_UID" "$T/home/$EVIL"

# $T/pwn is root's and 0755: nothing but a root process can create a
# file in it.  $T/evil is the attacker's own.
mkdir -m 755 "$T/pwn"
mkdir -m 755 "$T/evil"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
	-subj /CN=evil-ca -keyout "$T/evil/ca.key" -out "$T/evil/ca.pem" >/dev/null 2>&1 ||
	bail "cannot make the attacker's CA"
mkdir "$T/evil/certs"
cp "$T/evil/ca.pem" "$T/evil/certs/$(openssl x509 -hash -noout -in "$T/evil/ca.pem").0"
cat >"$T/evil/openssl.cnf" <<EOF
openssl_conf = evil
[evil]
providers = evil_providers
[evil_providers]
evil = evil_provider
[evil_provider]
module = $T/pwn/evil-provider.so
activate = 1
EOF
printf '127.0.0.2 %s\n' "$(sed -E 's,^https://([^:/]+).*,\1,' <<<"$DM_ISS")" >"$T/evil/hosts"
chown -R "$EVIL_UID:$EVIL_UID" "$T/evil"

# The attacker's proxy: it records every connection it gets.
PROXY_LOG=$T/log/proxy.log
: >"$PROXY_LOG"
perl -MIO::Socket::INET -e '
	my $s = IO::Socket::INET->new(LocalAddr => "127.0.0.1", LocalPort => 0,
		Listen => 8, ReuseAddr => 1) or die "listen: $!\n";
	open(my $p, ">", $ARGV[1]) or die; print $p $s->sockport, "\n"; close $p;
	open(my $o, ">>", $ARGV[0]) or die; $o->autoflush(1);
	while (my $c = $s->accept) { print $o "connection\n"; close $c; }' \
	"$PROXY_LOG" "$T/log/proxy.port" 2>"$T/log/proxy.err" &
dm_track $!
for ((i = 0; i < 100; i++)); do
	[ -s "$T/log/proxy.port" ] && break
	sleep 0.05
done
PROXY=http://127.0.0.1:$(cat "$T/log/proxy.port")

HOSTILE=(
	SSLKEYLOGFILE="$T/pwn/keylog"
	SSL_CERT_FILE="$T/evil/ca.pem" SSL_CERT_DIR="$T/evil/certs"
	CURL_CA_BUNDLE="$T/evil/ca.pem" CURL_HOME="$T/evil" CURL_SSL_BACKEND=gnutls
	OPENSSL_CONF="$T/evil/openssl.cnf" OPENSSL_MODULES="$T/pwn/modules"
	OPENSSL_ENGINES="$T/pwn/engines" OPENSSL_ia32cap='~0x200000200000000'
	OPENSSL_TRACE=all
	http_proxy="$PROXY" https_proxy="$PROXY" HTTPS_PROXY="$PROXY" HTTP_PROXY="$PROXY"
	all_proxy="$PROXY" ALL_PROXY="$PROXY" no_proxy='' NO_PROXY=''
	HOSTALIASES="$T/evil/hosts" LOCALDOMAIN=evil.invalid RES_OPTIONS='ndots:15 attempts:5'
	HOME="$T/pwn" XDG_CONFIG_HOME="$T/pwn/xdg" XDG_RUNTIME_DIR="$T/pwn/run"
	TMPDIR="$T/pwn/tmp" TZ="$T/evil/tz" TZDIR="$T/pwn/zoneinfo"
	LANG=C.UTF-8 LC_ALL=de_DE.UTF-8 LANGUAGE=de NLSPATH="$T/pwn/%N"
	GCONV_PATH="$T/pwn/gconv" LD_PRELOAD="$T/pwn/preload.so" LD_LIBRARY_PATH="$T/pwn"
	MALLOC_CHECK_=3 GLIBC_TUNABLES=glibc.malloc.check=3
	PAM_JWT_CONFIG="$T/evil/pam_jwt.conf" PAM_JWT_SUB=root
)

dm_conf "$T/pam_jwt.conf" "audience = $AUD" "http_timeout = 3"
cat >/etc/pam.d/su <<EOF
auth     required  $DM_MODULE config=$T/pam_jwt.conf
account  required  pam_permit.so
session  required  pam_permit.so
EOF

# su_as ENV-MODE TOKEN: the attacker runs `su pjtest -c 'id -un'` on a
# terminal (ptyrun.py gives su its pty and types at its prompt) and answers the password prompt
# with TOKEN; ENV-MODE is `clean` or `hostile`.  The key cache is emptied
# first, so the module must fetch the auth center's keys.  Sets OUT to
# what the command printed and RC to su's exit code.
su_as() {
	local mode=$1 tok=$2
	local -a env=(PATH="$DM_PATH" HOME="$T/home/$EVIL" USER="$EVIL" LOGNAME="$EVIL" TERM=dumb)
	[ "$mode" = hostile ] && env+=("${HOSTILE[@]}")
	rm -rf "$T/cache"
	mkdir -m 700 "$T/cache"
	printf '%s\n' "$tok" >"$T/answer"
	dm_log_mark
	RC=0
	(umask 000 && timeout 70 python3 "$top_srcdir/tests/daemons/ptyrun.py" "$T/answer" \
		setpriv --reuid="$EVIL_UID" --regid="$EVIL_UID" --init-groups \
		env -i "${env[@]}" su "$DM_USER" -c 'id -un' </dev/null >"$T/log/su.out" 2>&1) || RC=$?
	OUT=$(grep -E '^[a-z]+$' "$T/log/su.out" | tail -n 1)
}

# Nothing in $T/pwn, nothing group or world-writable in the cache.
nothing_created() {
	local made
	made=$(find "$T/pwn" -mindepth 1 2>/dev/null)
	is "$1: no file created from the environment" "$made" ""
	made=$(find "$T/cache" -perm /022 2>/dev/null)
	is "$1: nothing in the key cache writable by others (umask 000)" "$made" ""
	is "$1: the attacker's proxy got no connection" "$(wc -l <"$PROXY_LOG")" 0
}

dm_mint tok --user "$DM_USER" --audience "$AUD" --alg ES256

su_as clean "$tok"
is "clean environment: su with a token runs the command as $DM_USER" "$OUT" "$DM_USER"
dm_log_has "clean environment: the module fetched keys and accepted" \
	"pam_jwt\\(su:auth\\): accepted token for user=\"$DM_USER\""
clean_rc=$RC

su_as hostile "$tok"
is "hostile environment: the same decision (the command runs)" "$OUT" "$DM_USER"
is "hostile environment: su's exit code is the clean one" "$RC" "$clean_rc"
dm_log_has "hostile environment: accepted with keys fetched from the real auth center" \
	"pam_jwt\\(su:auth\\): accepted token for user=\"$DM_USER\""
nothing_created "hostile environment, good token"
ok "hostile environment: the key cache holds the auth center's keys" \
	[ -n "$(find "$T/cache" -name '*.json' -size +0)" ]

su_as hostile "$(dm_tamper "$tok")"
is "hostile environment: a tampered token is refused" "$OUT" ""
ok "hostile environment: su fails for the tampered token" [ "$RC" -ne 0 ]
dm_log_has "hostile environment: refused for its signature" \
	"pam_jwt\\(su:auth\\): refused token for user=\"$DM_USER\".*signature"
nothing_created "hostile environment, tampered token"

# An unknown kid makes the module fetch again even with a fresh cache:
# the attack of the report (one fetch per refresh_min_interval).
dm_mint tok2 --user "$DM_USER" --audience "$AUD" --alg RS256
su_as hostile "$tok2"
is "hostile environment, RS256 key: the same decision" "$OUT" "$DM_USER"
nothing_created "hostile environment, second fetch"

is "no fetch helper left running" "$(pgrep -c -f pam_jwt-fetch)" 0

dm_no_token_logged "$DM_SYSLOG" "$T/log/su.out"
done_testing
