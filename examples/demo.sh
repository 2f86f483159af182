#!/bin/bash
# pam_jwt demo: installs what is missing, builds, then
#   1. starts the test auth center (a real OpenID provider on 127.0.0.1),
#   2. gets a token for "alice" from it through the device flow,
#   3. logs in as alice through PAM (pamtester) with the token as password,
#   4. shows a tampered token refused, and why.
# Nothing on the host changes: the PAM service lives in a temporary
# directory (pam_wrapper) and "alice" exists only for the demo (nss_wrapper).
set -eu
cd "$(dirname "$0")/.."
top=$(pwd)

say() {
	if [ -t 1 ]; then printf '\n\033[1m== %s\033[0m\n' "$*"; else printf '\n== %s\n' "$*"; fi
}

say "installing dependencies and building"
bash tests/install-deps.sh
if [ ! -x tools/pam-jwt ] || [ ! -f pam_jwt/.libs/pam_jwt.so ]; then
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

say "fetching its public keys (JWKS) for pam_jwt"
curl -sS --fail --cacert "$work/ac/ca.pem" "$issuer/jwks" -o "$work/jwks.json"
jq -c '.keys[] | {kid, kty, crv, alg}' "$work/jwks.json"

cat >"$work/pam_jwt.conf" <<CONF
issuer = $issuer
audience = $audience
jwks_file = $work/jwks.json
CONF
chmod 600 "$work/pam_jwt.conf" "$work/jwks.json"
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

say "getting a token for alice from the auth center (device flow)"
token=$(tests/authcenter/ac.sh mint "$work/ac" --user alice --audience "$audience" --alg ES256)
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
