#!/bin/bash
# pam_jwt demo: installs what is missing, builds, then
#   1. starts the test auth center (a real OpenID provider on 127.0.0.1),
#   2. logs alice in with the helper (pam-jwt login, device flow) and gets
#      a token for this host from it (pam-jwt token),
#   3. logs in as alice through PAM (pamtester) with the token as password;
#      pam_jwt finds the auth center's keys by discovery over HTTPS,
#   4. shows a tampered token refused, and why.
# Run it as root (or as a user who may use sudo: it calls sudo itself).
# Nothing on the host changes: the PAM service lives in a temporary
# directory (pam_wrapper) and "alice" exists only for the demo (nss_wrapper).
set -eu
# root installs the packages and owns the files pam_jwt trusts; anyone
# else goes through sudo when it is there
. "$(dirname "$0")/../tests/lib/root.sh"
pj_as_root "$0" "$@"
cd "$(dirname "$0")/.."
top=$(pwd)

say() {
	if [ -t 1 ]; then printf '\n\033[1m== %s\033[0m\n' "$*"; else printf '\n== %s\n' "$*"; fi
}

say "installing dependencies and building"
bash tests/install-deps.sh
if [ ! -x tools/pam-jwt ] || [ ! -x pam_jwt/pam_jwt-fetch ] || [ ! -f pam_jwt/.libs/pam_jwt.so ]; then
	{ autoreconf -fi && ./configure && make -j"$(nproc)"; } >demo-build.log 2>&1 ||
		{ tail -30 demo-build.log; echo "demo: build failed (see demo-build.log)" >&2; exit 1; }
fi

work=$(mktemp -d /tmp/pam_jwt-demo.XXXXXX)
cleanup() {
	tests/authcenter/ac.sh stop "$work/ac" >/dev/null 2>&1 || true
	rm -rf "$work"
}
trap cleanup EXIT

say "starting the test auth center"
issuer=$(tests/authcenter/ac.sh start "$work/ac")
echo "issuer: $issuer"
audience="ssh://demo-host"

# pam_jwt: only the issuer and this host's audience; the keys are found
# through OpenID Connect discovery and fetched over HTTPS.
cat >"$work/pam_jwt.conf" <<CONF
issuer = $issuer
audience = $audience
ca_file = $work/ac/ca.pem
cache_dir = $work/cache
fetch_helper = $top/pam_jwt/pam_jwt-fetch
CONF
chmod 600 "$work/pam_jwt.conf"
mkdir -p "$work/pam.d"
cat >"$work/pam.d/demo" <<PAM
auth     required  $top/pam_jwt/.libs/pam_jwt.so config=$work/pam_jwt.conf
account  required  pam_permit.so
PAM
printf "auth required pam_deny.so\naccount required pam_deny.so\n" >"$work/pam.d/other"
printf 'alice:x:1000:1000:Alice:/home/alice:/bin/bash\n' >"$work/passwd"
printf 'alice:x:1000:\n' >"$work/group"
echo "PAM service 'demo':"
sed 's/^/    /' "$work/pam.d/demo"

say "alice logs in at the auth center with the helper (device flow)"
# The helper's own settings live in a throw-away home.
export HOME=$work/home XDG_CONFIG_HOME=$work/home/.config XDG_CACHE_HOME=$work/home/.cache
mkdir -p "$XDG_CONFIG_HOME/pam-jwt"
cat >"$XDG_CONFIG_HOME/pam-jwt/client.conf" <<CONF
issuer = $issuer
client_id = pam-jwt-cli
ca_file = $work/ac/ca.pem
CONF
tools/pam-jwt login --no-qr --audience "$audience" >"$work/login.out" 2>&1 &
login_pid=$!
code=""
for _ in $(seq 100); do
	code=$(sed -n 's/.*enter the code: *\([A-Z0-9-]*\).*/\1/p' "$work/login.out" | head -n 1)
	[ -n "$code" ] && break
	sleep 0.1
done
sed 's/^/    /' "$work/login.out"
[ -n "$code" ] || { echo "demo: pam-jwt login printed no code" >&2; exit 1; }
echo "(the demo plays alice at the verification page: code $code, approve)"
tests/authcenter/ac.sh device-approve "$work/ac" "$code" alice >/dev/null
wait "$login_pid" || { cat "$work/login.out" >&2; echo "demo: pam-jwt login failed" >&2; exit 1; }
tail -n 1 "$work/login.out" | sed 's/^/    /'

say "the helper gives a token for this host's audience"
token=$(tools/pam-jwt token --audience "$audience")
echo "token: ${token:0:40}... (${#token} bytes)"
printf '%s\n' "$token" | tools/pam-jwt verify --config "$work/pam_jwt.conf" --user alice |
	sed -n '/^claims/,$p'

run_pam() {
	env LD_PRELOAD="libpam_wrapper.so libnss_wrapper.so" PAM_WRAPPER=1 \
		PAM_WRAPPER_SERVICE_DIR="$work/pam.d" \
		NSS_WRAPPER_PASSWD="$work/passwd" NSS_WRAPPER_GROUP="$work/group" \
		pamtester demo alice authenticate
}

say "logging in as alice through PAM with the token"
if printf '%s\n' "$token" | run_pam; then
	echo "=> login accepted"
else
	echo "demo: the valid token was refused" >&2
	exit 1
fi

say "the same token with one changed claim (tampered)"
payload=$(printf '%s' "$token" | cut -d. -f2 | tr '_-' '/+' | base64 -d 2>/dev/null || true)
forged=$(printf '%s' "$payload" | sed 's/"sub":"alice"/"sub":"alice","groups2":[]/' |
	base64 -w0 | tr '/+' '_-' | tr -d '=')
tampered="$(printf '%s' "$token" | cut -d. -f1).$forged.$(printf '%s' "$token" | cut -d. -f3)"
if printf '%s\n' "$tampered" | run_pam; then
	echo "demo: the tampered token was ACCEPTED" >&2
	exit 1
fi
echo "=> login refused; pam-jwt verify says why:"
printf '%s\n' "$tampered" | tools/pam-jwt verify --config "$work/pam_jwt.conf" --user alice |
	sed -n '1,2p'
say "demo finished"
