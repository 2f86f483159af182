#!/bin/bash
# Bad tokens never log in, checked through PAM (pamtester under
# pam_wrapper): the exit status and the PAM error text.  Each case is
# named after the attack or the fault; each verdict is also asked of
# `pam-jwt verify`, which must agree.
#
# Texts: "Authentication failure" (PAM_AUTH_ERR) is pam_jwt refusing a
# token.  "Permission denied" is the stack deciding nothing: pam_jwt
# returned PAM_IGNORE because the answer is not shaped like a JWS at all
# (it is handed on as a password; stack.sh shows the next module deciding).
# An answer that starts with "eyJ" and holds only base64url characters and
# dots is a token attempt even with the wrong number of parts or an empty
# part: pam_jwt refuses it with its reason.
set -u
. "$top_srcdir/tests/integration/common.sh"
pj_require_built
pj_require_node
pj_require_pamtester
pj_require_drive
pj_setup
pj_keys

K=$T/keys
jwt_service pem-rsa "$(conf pem-rsa "key_file = $K/rsa.pub.pem")"
jwt_service pem-p256 "$(conf pem-p256 "key_file = $K/p256.pub.pem")"
jwt_service jwks "$(conf jwks "jwks_file = $K/jwks.json")"
jwt_service rsa-and-hmac "$(conf rsa-and-hmac "key_file = $K/rsa.pub.pem" \
	"hmac_secret_file = $K/hmac.secret")"
jwt_service small "$(conf small "key_file = $K/rsa.pub.pem" "max_token_size = 1024")"

# Rebuild a token from pieces; remember it as a secret for the logs.
join3() { printf '%s.%s.%s' "$1" "$2" "$3"; }
remember() { pj_secret "$1"; printf '%s' "$1"; }

# tamper_payload TOKEN SED-EXPR: the token with its payload JSON edited
# and the signature kept.
tamper_payload() {
	local t=$1 p json new
	p=$(seg "$t" 1)
	json=$(printf '%s' "$p" | b64u_dec)
	new=$(printf '%s' "$json" | sed -E "$2")
	[ "$new" != "$json" ] || { echo "Bail out! tamper_payload: $2 changed nothing"; exit 1; }
	remember "$(join3 "$(seg "$t" 0)" "$(printf '%s' "$new" | b64u)" "$(seg "$t" 2)")"
}

# Set the unused low bits of the last base64url character of a segment
# whose length is 2 mod 4: the same bytes for a lenient decoder, refused
# by a strict one (RFC 7515 asks for the canonical form).
B64U=ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_
noncanonical_sig() {
	local t=$1 s last i
	s=$(seg "$t" 2)
	[ $((${#s} % 4)) -eq 2 ] || { echo "Bail out! signature length ${#s} is not 2 mod 4"; exit 1; }
	last=${s: -1}
	i=${B64U%%"$last"*}
	i=${#i}
	remember "$(join3 "$(seg "$t" 0)" "$(seg "$t" 1)" "${s%?}${B64U:$((i | 1)):1}")"
}

# ---- wrong key --------------------------------------------------------
mint tok --key "$K/rsa2.priv.pem" --alg RS256
refuse_typed "wrong key: RS256 signed by another RSA key" pem-rsa alice "$tok" "$E_AUTH" signature
mint tok --key "$K/p2562.priv.pem" --alg ES256
refuse_typed "wrong key: ES256 signed by another P-256 key" pem-p256 alice "$tok" "$E_AUTH" signature
mint tok --key "$K/ed2.priv.pem" --alg EdDSA --kid ed-kid
refuse_typed "wrong key: EdDSA, kid of the configured key, other key" jwks alice "$tok" "$E_AUTH" signature
mint tok --key "$K/rsa2.priv.pem" --alg PS256 --kid rsa-kid
refuse_typed "wrong key: PS256, kid of the configured key, other key" jwks alice "$tok" "$E_AUTH" signature
# The attacker's key in the header (jwk / jku / x5u) is never used.
jwk=$(tr -d ' \n' <"$K/rsa2.pub.jwk")
mint tok --key "$K/rsa2.priv.pem" --alg RS256 --header "{\"jwk\":$jwk}"
refuse_typed "wrong key: attacker's key embedded as header jwk" pem-rsa alice "$tok" "$E_AUTH" signature
mint tok --key "$K/rsa2.priv.pem" --alg RS256 --kid rsa-kid \
	--header '{"jku":"https://evil.test/jwks.json","x5u":"https://evil.test/c.pem"}'
refuse_typed "wrong key: header jku/x5u pointing at the attacker" jwks alice "$tok" "$E_AUTH" signature

# ---- tampering ---------------------------------------------------------
mint good --key "$K/rsa.priv.pem" --alg RS256 --sub bob
tok=$(tamper_payload "$good" 's/"sub":"bob"/"sub":"alice"/')
refuse_typed "tampered payload: sub bob -> alice, signature kept" pem-rsa alice "$tok" "$E_AUTH" signature
mint good --key "$K/p256.priv.pem" --alg ES256 --exp-in -3600
tok=$(tamper_payload "$good" 's/"exp":[0-9]+/"exp":9999999999/')
refuse_typed "tampered payload: expired token with exp pushed forward" pem-p256 alice "$tok" "$E_AUTH" signature

mint tok --key "$K/rsa.priv.pem" --alg RS256 --corrupt-sig
refuse_typed "tampered signature: RS256, one bit flipped" pem-rsa alice "$tok" "$E_AUTH" signature
mint tok --key "$K/p256.priv.pem" --alg ES256 --corrupt-sig
refuse_typed "tampered signature: ES256, one bit flipped" pem-p256 alice "$tok" "$E_AUTH" signature
mint tok --key "$K/ed.priv.pem" --alg EdDSA --kid ed-kid --corrupt-sig
refuse_typed "tampered signature: EdDSA, one bit flipped" jwks alice "$tok" "$E_AUTH" signature
mint good --key "$K/rsa.priv.pem" --alg RS256
s=$(seg "$good" 2)
tok=$(remember "$(join3 "$(seg "$good" 0)" "$(seg "$good" 1)" \
	"$(printf '%s' "$s" | b64u_dec | head -c -3 | b64u)")")
refuse_typed "tampered signature: RS256, truncated by 3 bytes" pem-rsa alice "$tok" "$E_AUTH" signature
mint other --key "$K/rsa.priv.pem" --alg RS256 --sub bob
tok=$(remember "$(join3 "$(seg "$good" 0)" "$(seg "$good" 1)" "$(seg "$other" 2)")")
refuse_typed "tampered signature: signature of another token" pem-rsa alice "$tok" "$E_AUTH" signature
tok=$(noncanonical_sig "$good")
refuse_typed "tampered signature: RS256, non-canonical base64url (same bytes)" pem-rsa alice "$tok" "$E_AUTH" malformed
mint good --key "$K/p256.priv.pem" --alg ES256
tok=$(noncanonical_sig "$good")
refuse_typed "tampered signature: ES256, non-canonical base64url (same bytes)" pem-p256 alice "$tok" "$E_AUTH" malformed

# ---- alg none ----------------------------------------------------------
mint tok --alg none
refuse_typed "alg none: unsecured JWT \"h.p.\" from mint.mjs" pem-rsa alice "$tok" "$E_AUTH" malformed
mint good --key "$K/rsa.priv.pem" --alg RS256 --kid rsa-kid
for a in none None NONE nOnE; do
	h=$(printf '{"alg":"%s","typ":"JWT","kid":"rsa-kid"}' "$a" | b64u)
	tok=$(remember "$(join3 "$h" "$(seg "$good" 1)" "$(seg "$good" 2)")")
	refuse_typed "alg none: \"$a\" with a real RS256 signature kept" jwks alice "$tok" "$E_AUTH" algorithm
	tok=$(remember "$h.$(seg "$good" 1).")
	refuse_typed "alg none: \"$a\" with an empty signature" jwks alice "$tok" "$E_AUTH" malformed
done
# Signed as RS256 but the header says "none" (mint's node engine).
mint tok --key "$K/rsa.priv.pem" --alg RS256 --header '{"alg":"none"}'
refuse_typed "alg none: header alg none over a valid RS256 signature" pem-rsa alice "$tok" "$E_AUTH" algorithm

# ---- HS/RS key confusion -------------------------------------------------
mint_confusion tok --pub "$K/rsa.pub.pem"
refuse_typed "key confusion: HS256 keyed with the RSA public PEM" pem-rsa alice "$tok" "$E_AUTH" key
mint_confusion tok --pub "$K/rsa.pub.pem" --trim-secret
refuse_typed "key confusion: HS256 keyed with the trimmed public PEM" pem-rsa alice "$tok" "$E_AUTH" key
mint_confusion tok --pub "$K/rsa.pub.pem" --alg HS512
refuse_typed "key confusion: HS512 keyed with the public PEM, HMAC also configured" \
	rsa-and-hmac alice "$tok" "$E_AUTH" signature
mint_confusion tok --pub "$K/rsa.pub.jwk" --kid rsa-kid
refuse_typed "key confusion: HS256 keyed with the public JWK, kid of the RSA key" \
	jwks alice "$tok" "$E_AUTH" algorithm
mint_confusion tok --pub "$K/jwks.json"
refuse_typed "key confusion: HS256 keyed with the JWKS file bytes" jwks alice "$tok" "$E_AUTH" key

# ---- times -------------------------------------------------------------
mint tok --key "$K/rsa.priv.pem" --alg RS256 --exp-in -3600
refuse_typed "expired an hour ago" pem-rsa alice "$tok" "$E_AUTH" expired
mint tok --key "$K/rsa.priv.pem" --alg RS256 --exp-in -90
refuse_typed "expired 90 s ago (beyond the 60 s leeway)" pem-rsa alice "$tok" "$E_AUTH" expired
mint tok --key "$K/rsa.priv.pem" --alg RS256 --nbf-in 3600 --exp-in 7200
refuse_typed "not yet valid: nbf in an hour" pem-rsa alice "$tok" "$E_AUTH" not-yet-valid
mint tok --key "$K/rsa.priv.pem" --alg RS256 --iat-in 3600 --exp-in 7200
refuse_typed "issued in the future: iat in an hour" pem-rsa alice "$tok" "$E_AUTH" not-yet-valid
mint tok --key "$K/rsa.priv.pem" --alg RS256 --no-exp
refuse_typed "no exp claim (require_exp is the default)" pem-rsa alice "$tok" "$E_AUTH" claim
mint tok --key "$K/rsa.priv.pem" --alg RS256 --claims '{"exp":"9999999999"}'
refuse_typed "exp as a string, not a NumericDate" pem-rsa alice "$tok" "$E_AUTH" claim

# ---- issuer, audience ----------------------------------------------------
mint tok --key "$K/rsa.priv.pem" --alg RS256 --iss urn:pam-jwt:test:evil
refuse_typed "wrong issuer" pem-rsa alice "$tok" "$E_AUTH" issuer
mint tok --key "$K/rsa.priv.pem" --alg RS256 --iss "$PJ_ISS/"
refuse_typed "wrong issuer: trailing slash" pem-rsa alice "$tok" "$E_AUTH" issuer
mint tok --key "$K/rsa.priv.pem" --alg RS256 --iss "${PJ_ISS^^}"
refuse_typed "wrong issuer: other case" pem-rsa alice "$tok" "$E_AUTH" issuer
mint tok --key "$K/rsa.priv.pem" --alg RS256 --del-claim iss
refuse_typed "no issuer" pem-rsa alice "$tok" "$E_AUTH" issuer
mint tok --key "$K/rsa.priv.pem" --alg RS256 --aud host-b.pamjwt.test
refuse_typed "wrong audience" pem-rsa alice "$tok" "$E_AUTH" audience
mint tok --key "$K/rsa.priv.pem" --alg RS256 --aud host-b.pamjwt.test --aud host-c.pamjwt.test
refuse_typed "wrong audience: array without this host" pem-rsa alice "$tok" "$E_AUTH" audience
mint tok --key "$K/rsa.priv.pem" --alg RS256 --claims "{\"aud\":[\"$PJ_AUD\",42]}"
refuse_typed "wrong audience: array with a non-string" pem-rsa alice "$tok" "$E_AUTH" audience
mint tok --key "$K/rsa.priv.pem" --alg RS256 --del-claim aud
refuse_typed "no audience" pem-rsa alice "$tok" "$E_AUTH" audience

# ---- user ----------------------------------------------------------------
mint tok --key "$K/rsa.priv.pem" --alg RS256 --sub bob
refuse_typed "wrong user: token for bob, login as alice" pem-rsa alice "$tok" "$E_AUTH" user
mint tok --key "$K/rsa.priv.pem" --alg RS256 --sub alice
refuse_typed "wrong user: token for alice, login as bob" pem-rsa bob "$tok" "$E_AUTH" user
mint tok --key "$K/rsa.priv.pem" --alg RS256 --sub carol
refuse_typed "no such account: token for carol, login as carol" pem-rsa carol "$tok" "$E_USER_UNKNOWN" no-account
mint tok --key "$K/rsa.priv.pem" --alg RS256 --sub ALICE
refuse_typed "wrong user: sub ALICE, login as alice" pem-rsa alice "$tok" "$E_AUTH" user

# ---- malformed -----------------------------------------------------------
mint good --key "$K/rsa.priv.pem" --alg RS256
h=$(seg "$good" 0) p=$(seg "$good" 1) s=$(seg "$good" 2)
tok=$(remember "$h.$p")
refuse_typed "malformed: 2 parts" pem-rsa alice "$tok" "$E_AUTH" malformed
tok=$(remember "$h.$p.$s.$s.$p")
refuse_typed "malformed: 5 parts (JWE shape)" pem-rsa alice "$tok" "$E_AUTH" malformed
tok=$(remember "$h.$p.$s.$s")
refuse_typed "malformed: 4 parts" pem-rsa alice "$tok" "$E_AUTH" malformed
tok=$(remember "$h.${p:0:20}+/${p:22}.$s")
refuse_typed "malformed: base64 (not url) characters + and /" pem-rsa alice "$tok" "$E_PERM"
tok=$(remember "$h.$p==.$s")
refuse_typed "malformed: base64 padding =" pem-rsa alice "$tok" "$E_PERM"
if [ $((${#p} % 4)) -eq 0 ]; then p1=${p}A; else p1=${p:0:$((${#p} - ${#p} % 4 + 1))}; fi
tok=$(remember "$h.$p1.$s")
refuse_typed "malformed: payload of 4k+1 base64url characters" pem-rsa alice "$tok" "$E_AUTH" malformed
tok=$(remember "$(printf '{"alg":"RS256",' | b64u).$p.$s")
refuse_typed "malformed: header is not JSON" pem-rsa alice "$tok" "$E_AUTH" malformed
tok=$(remember "$h.$(printf '["alice"]' | b64u).$s")
refuse_typed "malformed: payload is a JSON array" pem-rsa alice "$tok" "$E_AUTH" malformed
tok=$(remember "$h..$s")
refuse_typed "malformed: empty payload" pem-rsa alice "$tok" "$E_AUTH" malformed
mint tok --key "$K/rsa.priv.pem" --alg RS256 --header '{"crit":["exp"],"exp":1}'
refuse_typed "malformed: crit header (no extension is understood)" pem-rsa alice "$tok" "$E_AUTH" malformed

# ---- size ----------------------------------------------------------------
mint tok --key "$K/rsa.priv.pem" --alg RS256 --target-len 1024
accept_typed "size: 1024 bytes with max_token_size 1024 (control)" small alice "$tok"
mint tok --key "$K/rsa.priv.pem" --alg RS256 --target-len 1027
refuse_typed "too large: 1027 bytes with max_token_size 1024" small alice "$tok" "$E_AUTH" too-large
mint tok --key "$K/rsa.priv.pem" --alg RS256 --pad-claim 2000
refuse_typed "too large: ~3.2 KiB with max_token_size 1024" small alice "$tok" "$E_AUTH" too-large

# ---- kid -----------------------------------------------------------------
mint tok --key "$K/rsa.priv.pem" --alg RS256 --kid no-such-kid
refuse_typed "unknown kid" jwks alice "$tok" "$E_AUTH" key
mint tok --key "$K/rsa.priv.pem" --alg RS256 --kid p256-kid
refuse_typed "kid of a key of another type (P-256 kid, RS256 token)" jwks alice "$tok" "$E_AUTH" algorithm
mint tok --key "$K/rsa.priv.pem" --alg RS256 --header '{"kid":["rsa-kid"]}'
refuse_typed "kid that is not a string" jwks alice "$tok" "$E_AUTH" malformed
mint tok --key "$K/rsa.priv.pem" --alg RS256 --kid ../../../etc/passwd
refuse_typed "kid that looks like a path" jwks alice "$tok" "$E_AUTH" key

# A kid names one key: a token with a kid is never verified by a key
# without one (key_file PEM keys, the shared secret), nor by a key with
# another kid, whatever else the configuration holds.
refuse_kid() {
	refuse_typed "$@"
	is "pam-jwt verify refuses it (exit 1): $1" "$CLI_RC" 1
}
mint tok --key "$K/rsa.priv.pem" --alg RS256 --kid any-kid
refuse_kid "kid-less key_file key verifies a token with an unknown kid" pem-rsa alice "$tok" \
	"$E_AUTH" key
mint tok --key "$K/p256.priv.pem" --alg ES256 --kid p256-kid
refuse_kid "kid-less key_file key verifies a token with a kid (P-256)" pem-p256 alice "$tok" \
	"$E_AUTH" key
mint tok --alg HS256 --secret-file "$K/hmac.secret" --kid hs-kid
refuse_kid "shared secret verifies a token with a kid" rsa-and-hmac alice "$tok" "$E_AUTH" key
node "$JOSE/jwks.mjs" "$K/p256.pub.jwk" "$K/p2562.pub.jwk" >"$K/two-p256.json" &&
	chmod 644 "$K/two-p256.json" || { echo "Bail out! jwks failed"; exit 1; }
jwt_service kid-mix "$(conf kid-mix "jwks_file = $K/jwks.json" "key_file = $K/p2562.pub.pem")"
mint tok --key "$K/p2562.priv.pem" --alg ES256 --kid p256-kid
refuse_kid "kid of a JWKS key, signed by a kid-less key_file key: no fallback" kid-mix alice \
	"$tok" "$E_AUTH" signature
mint tok --key "$K/p2562.priv.pem" --alg ES256 --kid no-such-kid
refuse_kid "unknown kid, signed by a kid-less key_file key: no fallback" kid-mix alice "$tok" \
	"$E_AUTH" key
mint tok --key "$K/p2562.priv.pem" --alg ES256
accept_typed "control: the kid-less key_file key verifies a token without kid" kid-mix alice "$tok"
jwt_service two-p256 "$(conf two-p256 "jwks_file = $K/two-p256.json")"
mint tok --key "$K/p2562.priv.pem" --alg ES256 --kid p256-kid
refuse_kid "kid of one key, signed by the key of another kid: no fallback" two-p256 alice \
	"$tok" "$E_AUTH" signature
mint tok --key "$K/p2562.priv.pem" --alg ES256 --kid p2562-kid
accept_typed "control: the same token with its own key's kid" two-p256 alice "$tok"

# Every pamdrive run above logged through the driver: no token leaked.
check_log_clean "no token, token part or signature in the module's log"

done_testing
