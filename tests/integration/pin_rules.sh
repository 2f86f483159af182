#!/bin/bash
# Rules that a deliberately broken core once got past every end-to-end
# test (a mutation run): each is pinned here through PAM (pamtester, and
# pamdrive for the logged reason) and `pam-jwt verify`, which must agree.
#   - a mapping glob matches the whole value: "*@example.com" is anchored
#     at its end, not only at its start;
#   - the user claim must equal the PAM user exactly: no prefix, no
#     longer name, and the configured claim, not sub;
#   - an RSA signature one byte short (its leading zero byte dropped: the
#     same number) is refused: OpenSSL's PSS path would take it;
#   - the algorithms allow-list refuses an algorithm the key would allow;
#   - a required typ is checked (as a media type).
set -u
. "$top_srcdir/tests/integration/common.sh"
pj_require_built
pj_require_node
pj_require_pamtester
pj_require_drive
pj_setup
pj_keys

K=$T/keys
# Accounts whose names are a prefix or an extension of alice's, so that
# only the comparison with the PAM user can refuse their tokens.
cat >>"$T/passwd" <<EOF
alicex:x:1011:1011:Alice X:/home/alicex:/bin/sh
alic:x:1012:1012:Alic:/home/alic:/bin/sh
EOF
JWKS="jwks_file = $K/jwks.json"

# ---- mapping globs are anchored at both ends ------------------------------------------
MAP=$T/conf/glob.map
cat >"$MAP" <<EOF
email~*@example.com -> alice
sub~robot-* -> bob
EOF
chmod 600 "$MAP"
jwt_service glob "$(conf glob "$JWKS" "map_file = $MAP")"
mint tok --key "$K/ed.priv.pem" --alg EdDSA --kid ed-kid --sub x --claims '{"email":"mallory@example.com"}'
accept_typed "control: email mallory@example.com matches *@example.com" glob alice "$tok"
mint tok --key "$K/ed.priv.pem" --alg EdDSA --kid ed-kid --sub x \
	--claims '{"email":"mallory@example.com.evil.org"}'
refuse_typed "glob end anchor: *@example.com does not match mallory@example.com.evil.org" glob alice \
	"$tok" "$E_USER_UNKNOWN" no-account
mint tok --key "$K/ed.priv.pem" --alg EdDSA --kid ed-kid --sub x \
	--claims '{"email":"mallory@example.com\n"}'
refuse_typed "glob end anchor: *@example.com does not match a trailing newline" glob alice "$tok" \
	"$E_USER_UNKNOWN" no-account
mint tok --key "$K/ed.priv.pem" --alg EdDSA --kid ed-kid --sub robot-ci
accept_typed "control: sub robot-ci matches robot-*" glob bob "$tok"
mint tok --key "$K/ed.priv.pem" --alg EdDSA --kid ed-kid --sub evil-robot-ci
refuse_typed "glob start anchor: robot-* does not match evil-robot-ci" glob bob "$tok" \
	"$E_USER_UNKNOWN" no-account

# ---- the user claim equals the PAM user --------------------------------------------------
jwt_service sub "$(conf sub "$JWKS")"
jwt_service pu "$(conf pu "$JWKS" "user_claim = preferred_username")"
mint tok --key "$K/ed.priv.pem" --alg EdDSA --kid ed-kid --sub alicex
refuse_typed "user claim comparison: token for alicex, login as alice (a prefix of it)" sub alice \
	"$tok" "$E_AUTH" user
mint tok --key "$K/ed.priv.pem" --alg EdDSA --kid ed-kid --sub alic
refuse_typed "user claim comparison: token for alic, login as alice (it is a prefix)" sub alice \
	"$tok" "$E_AUTH" user
mint tok --key "$K/ed.priv.pem" --alg EdDSA --kid ed-kid --sub alice
refuse_typed "user claim comparison: token for alice, login as alicex" sub alicex "$tok" "$E_AUTH" user
mint tok --key "$K/ed.priv.pem" --alg EdDSA --kid ed-kid --sub alice --claims '{"preferred_username":"bob"}'
refuse_typed "user claim comparison: user_claim preferred_username bob, sub alice, login as alice" pu \
	alice "$tok" "$E_AUTH" user
accept_typed "control: user_claim preferred_username bob, login as bob" pu bob "$tok"

# ---- an RSA signature one byte short ---------------------------------------------------------
# A PS256 signature whose first byte is zero (signed again with another
# jti until it is), sent without that byte: the same integer, 255 bytes
# for a 256-byte modulus.  Prints the full token, then the short one.
short_sig_tokens() {
	node --input-type=module - "$K/rsa.priv.pem" "$PJ_ISS" "$PJ_AUD" <<'EOF'
import { readFileSync } from 'node:fs';
import { createPrivateKey, sign, constants } from 'node:crypto';
const [key, iss, aud] = process.argv.slice(2);
const pk = createPrivateKey(readFileSync(key));
const b64u = (b) => Buffer.from(b).toString('base64url');
const now = Math.floor(Date.now() / 1000);
const h = b64u(JSON.stringify({ alg: 'PS256', typ: 'JWT', kid: 'rsa-kid' }));
for (let i = 0; i < 100000; i++) {
  const p = b64u(JSON.stringify({ iss, aud, sub: 'alice', iat: now, exp: now + 300, jti: `short-${i}` }));
  const sig = sign('sha256', Buffer.from(`${h}.${p}`), {
    key: pk, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32,
  });
  if (sig.length === 256 && sig[0] === 0) {
    console.log(`${h}.${p}.${b64u(sig)}`);
    console.log(`${h}.${p}.${b64u(sig.subarray(1))}`);
    process.exit(0);
  }
}
process.exit(1);
EOF
}
mapfile -t pair < <(short_sig_tokens)
[ "${#pair[@]}" -eq 2 ] || { echo "Bail out! no PS256 signature with a leading zero byte"; exit 1; }
pj_secret "${pair[0]}"
pj_secret "${pair[1]}"
ok "the short signature is 255 bytes (340 base64url characters)" \
	eval '[ "$(seg "${pair[1]}" 2 | wc -c)" -eq 340 ]'
jwt_service rsa "$(conf rsa "$JWKS")"
accept_typed "control: the PS256 signature with its leading zero byte accepted" rsa alice "${pair[0]}"
refuse_typed "short RSA signature: PS256 without its leading zero byte refused" rsa alice "${pair[1]}" \
	"$E_AUTH" signature

# ---- the algorithms allow-list -----------------------------------------------------------------
jwt_service rs-only "$(conf rs-only "$JWKS" "algorithms = RS256")"
jwt_service es-only "$(conf es-only "$JWKS" "algorithms = ES256,EdDSA")"
mint tok --key "$K/rsa.priv.pem" --alg RS256 --kid rsa-kid
accept_typed "control: RS256 with algorithms = RS256" rs-only alice "$tok"
refuse_typed "algorithms allow-list: RS256 refused with algorithms = ES256,EdDSA" es-only alice "$tok" \
	"$E_AUTH" algorithm
mint tok --key "$K/rsa.priv.pem" --alg PS256 --kid rsa-kid
refuse_typed "algorithms allow-list: PS256 (the RSA key allows it) refused with algorithms = RS256" \
	rs-only alice "$tok" "$E_AUTH" algorithm
mint tok --key "$K/p256.priv.pem" --alg ES256 --kid p256-kid
accept_typed "control: ES256 with algorithms = ES256,EdDSA" es-only alice "$tok"
mint tok --key "$K/p384.priv.pem" --alg ES384 --kid p384-kid
refuse_typed "algorithms allow-list: ES384 refused with algorithms = ES256,EdDSA" es-only alice "$tok" \
	"$E_AUTH" algorithm

# ---- typ -----------------------------------------------------------------------------------------
jwt_service at "$(conf at "$JWKS" "typ = at+jwt")"
for typ in at+jwt application/at+jwt AT+JWT; do
	mint tok --key "$K/ed.priv.pem" --alg EdDSA --kid ed-kid --typ "$typ"
	accept_typed "control: typ $typ with typ = at+jwt" at alice "$tok"
done
mint tok --key "$K/ed.priv.pem" --alg EdDSA --kid ed-kid
refuse_typed "typ check: typ JWT refused with typ = at+jwt (an ID token is no access token)" at alice \
	"$tok" "$E_AUTH" claim
mint tok --key "$K/ed.priv.pem" --alg EdDSA --kid ed-kid --no-typ
refuse_typed "typ check: no typ refused with typ = at+jwt" at alice "$tok" "$E_AUTH" claim
mint tok --key "$K/ed.priv.pem" --alg EdDSA --kid ed-kid --typ at+jwt+x
refuse_typed "typ check: typ at+jwt+x refused with typ = at+jwt" at alice "$tok" "$E_AUTH" claim
mint tok --key "$K/ed.priv.pem" --alg EdDSA --kid ed-kid
accept_typed "control: typ JWT accepted without the typ option" sub alice "$tok"

check_log_clean "no token in the log"
done_testing
