#!/bin/bash
# Several auth centers: one "[name]" section per issuer, each with its own
# ca_file (and, for one, its own audience).  A token is routed by its iss
# and only that issuer's keys can verify it: a token claiming issuer A
# but signed by B's key (validly, with B's kid) is refused, and so is the
# reverse; each issuer has its own cache file, fetched from its own
# server only.
set -u
. "${top_srcdir:?}/tests/keys/common.sh"
pk_require_built
pk_require_ac
pk_setup

ac_start "$T/a"
ISS_A=$AC_ISS
ac_start "$T/b"
ISS_B=$AC_ISS
CACHE=$T/cache
pk_newcache "$CACHE"
CONF=$T/conf/multi.conf
pk_conf "$CONF" \
	"audience = $AUD" \
	"cache_dir = $CACHE" \
	"http_timeout = 2" \
	"" \
	"[center-a]" \
	"issuer = $ISS_A" \
	"ca_file = $T/a/ca.pem" \
	"" \
	"[center-b]" \
	"issuer = $ISS_B" \
	"ca_file = $T/b/ca.pem" \
	"audience = ssh://hostb"
pk_service multi "$CONF"

ac_mint TOK_A "$T/a" --alg ES256
ac_mint TOK_A_HOSTB "$T/a" --alg ES256 --audience ssh://hostb
ac_mint TOK_B "$T/b" --alg ES256 --audience ssh://hostb
ac_mint TOK_B_HOST1 "$T/b" --alg ES256
ac_mint TOK_B_ED "$T/b" --alg EdDSA --audience ssh://hostb
# The auth centers' own private keys, to sign tokens that claim the other
# issuer (validly signed, so only the per-issuer key sets can refuse them).
KID_A=$(ac_private_jwk "$T/a" es256 "$T/keys/a-es.jwk")
KID_B=$(ac_private_jwk "$T/b" es256 "$T/keys/b-es.jwk")
jmint CROSS_A_BY_B --key "$T/keys/b-es.jwk" --alg ES256 --kid "$KID_B" --iss "$ISS_A" --typ at+jwt
jmint CROSS_B_BY_A --key "$T/keys/a-es.jwk" --alg ES256 --kid "$KID_A" --iss "$ISS_B" \
	--aud ssh://hostb --typ at+jwt
jmint A_KID_B_KEY --key "$T/keys/b-es.jwk" --alg ES256 --kid "$KID_A" --iss "$ISS_A" --typ at+jwt
jmint SELF_A --key "$T/keys/a-es.jwk" --alg ES256 --kid "$KID_A" --iss "$ISS_A" --typ at+jwt
jmint UNKNOWN_ISS --key "$T/keys/a-es.jwk" --alg ES256 --kid "$KID_A" --iss https://evil.example --typ at+jwt
jmint SLASH_ISS --key "$T/keys/a-es.jwk" --alg ES256 --kid "$KID_A" --iss "$ISS_A/" --typ at+jwt
jmint NO_ISS --key "$T/keys/a-es.jwk" --alg ES256 --kid "$KID_A" --typ at+jwt
ac_reset "$T/a"
ac_reset "$T/b"

# counts: "A-discovery A-jwks B-discovery B-jwks"
counts() {
	echo "$(ac_count "$T/a" discovery) $(ac_count "$T/a" jwks) $(ac_count "$T/b" discovery) $(ac_count "$T/b" jwks)"
}

# ---- routing by iss -------------------------------------------------------------------

login_ok "token from auth center A accepted" multi alice "$TOK_A"
is "A's token: keys fetched from A only" "$(counts)" "1 1 0 0"
login_ok "token from auth center B accepted (B's own audience)" multi alice "$TOK_B"
is "B's token: keys fetched from B only" "$(counts)" "1 1 1 1"
login_ok "EdDSA token from B accepted" multi alice "$TOK_B_ED"
login_ok "token signed by A's key with chosen claims accepted (the harness works)" multi alice "$SELF_A"

FA=$(cache_file "$CACHE" "$ISS_A")
FB=$(cache_file "$CACHE" "$ISS_B")
ok "one cache file per issuer" test -f "$FA" -a -f "$FB" -a "$FA" != "$FB"
A_KIDS=$(cache_kids "$CACHE" "$ISS_A")
B_KIDS=$(cache_kids "$CACHE" "$ISS_B")
ok "A's cache holds A's kid and not B's" sh -c "echo ' $A_KIDS ' | grep -q ' $KID_A ' && ! echo ' $A_KIDS ' | grep -q ' $KID_B '"
ok "B's cache holds B's kid and not A's" sh -c "echo ' $B_KIDS ' | grep -q ' $KID_B ' && ! echo ' $B_KIDS ' | grep -q ' $KID_A '"

# ---- a token must be verified by its own issuer's keys -------------------------------

login_refused "iss A, validly signed by B's key (B's kid): refused" multi alice "$CROSS_A_BY_B" "$E_AUTH"
vf "$CONF" "$CROSS_A_BY_B"
vf_refused_like "iss A with B's kid: the reason is the unknown kid" '^reason: key: .*kid'
login_refused "iss B, validly signed by A's key (A's kid): refused" multi alice "$CROSS_B_BY_A" "$E_AUTH"
login_refused "iss A, A's kid, signed by B's key: refused" multi alice "$A_KID_B_KEY" "$E_AUTH"
vf "$CONF" "$A_KID_B_KEY"
vf_refused_like "A's kid with B's signature: the reason is the signature" '^reason: signature'
with_kid T_A_KIDB "$TOK_A" "$KID_B"
login_refused "A's token relabelled with B's kid: refused" multi alice "$T_A_KIDB" "$E_AUTH"
is "cross-issuer tokens: B was never asked about a token claiming A, nor A about B" "$(counts)" "1 1 1 1"

# ---- unknown, inexact or missing iss ----------------------------------------------------

login_refused "iss of no configured auth center: refused" multi alice "$UNKNOWN_ISS" "$E_AUTH"
vf "$CONF" "$UNKNOWN_ISS"
vf_refused_like "unknown iss: the reason says no auth center is configured for it" \
	'no auth center is configured for issuer'
login_refused "iss A with a trailing slash: refused (exact match only)" multi alice "$SLASH_ISS" "$E_AUTH"
login_refused "token without iss: refused" multi alice "$NO_ISS" "$E_AUTH"
is "unknown issuers: no request to any auth center" "$(counts)" "1 1 1 1"
ok "unknown issuers: no cache file made for them" test "$(find "$CACHE" -name '*.json' | wc -l)" -eq 2

# ---- options per section ---------------------------------------------------------------------

login_refused "B's token for A's audience (ssh://host1): refused" multi alice "$TOK_B_HOST1" "$E_AUTH"
login_refused "A's token for B's audience (ssh://hostb): refused" multi alice "$TOK_A_HOSTB" "$E_AUTH"

pk_newcache "$T/cache2"
pk_conf "$T/conf/swapped.conf" \
	"audience = $AUD" "cache_dir = $T/cache2" "http_timeout = 2" \
	"[center-a]" "issuer = $ISS_A" "ca_file = $T/b/ca.pem" \
	"[center-b]" "issuer = $ISS_B" "ca_file = $T/b/ca.pem" "audience = ssh://hostb"
pk_service swapped "$T/conf/swapped.conf"
login_refused "section A trusting only B's CA: A's token refused as unavailable" swapped alice "$TOK_A" "$E_UNAVAIL"
login_ok "section B with its CA: B's token accepted" swapped alice "$TOK_B"

keys_cmd show "$CONF"
like "keys show lists both issuers" "$KC_OUT" "issuer $ISS_A"
like "keys show lists B too" "$KC_OUT" "issuer $ISS_B"
like "keys show lists A's kid" "$KC_OUT" "kid=$KID_A "
like "keys show lists B's kid" "$KC_OUT" "kid=$KID_B "

done_testing
