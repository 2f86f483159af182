#!/bin/bash
# Keys from the auth center, login through pamtester: pam_jwt discovers
# and fetches the test auth center's JWKS itself and accepts its RS256,
# ES256 and EdDSA tokens; a second login is served by the cache without
# network; a token for another audience is refused.
set -u
. "${top_srcdir:?}/tests/keys/common.sh"
pk_require_built
pk_require_ac
pk_setup

ac_start "$T/ac"
ISS=$AC_ISS
CACHE=$T/cache
pk_newcache "$CACHE"
CONF=$T/conf/login.conf
pk_conf "$CONF" "issuer = $ISS" "audience = $AUD" "ca_file = $T/ac/ca.pem" \
	"cache_dir = $CACHE" "http_timeout = 2"
pk_service login "$CONF"

ac_mint TOK_RS "$T/ac" --alg RS256
ac_mint TOK_ES "$T/ac" --alg ES256
ac_mint TOK_ED "$T/ac" --alg EdDSA
ac_robot TOK_ROBOT "$T/ac" --alg ES256
ac_mint TOK_OTHER_AUD "$T/ac" --alg ES256 --audience ssh://host2
ac_reset "$T/ac"

ok "no cache file before the first login" test ! -e "$(cache_file "$CACHE" "$ISS")"

# ---- first login: discovery + JWKS, then cached ----------------------------

login_ok "RS256 token from the auth center accepted (keys discovered and fetched)" login alice "$TOK_RS"
is "first login: one discovery request" "$(ac_count "$T/ac" discovery)" 1
is "first login: one JWKS request" "$(ac_count "$T/ac" jwks)" 1

F=$(cache_file "$CACHE" "$ISS")
ok "cache file written for the issuer" test -f "$F"
is "cache file is root-owned, mode 0644" "$(stat -c '%u %a' "$F" 2>/dev/null)" "0 644"
WANT_KIDS=$(curl -sS --cacert "$T/ac/ca.pem" "$ISS/jwks" | node -e '
	const j = JSON.parse(require("fs").readFileSync(0, "utf8"));
	process.stdout.write(j.keys.map((k) => k.kid).sort().join(" "));')
ac_reset "$T/ac"
is "cache holds exactly the auth center's kids" "$(cache_kids "$CACHE" "$ISS")" "$WANT_KIDS"

login_ok "ES256 token from the auth center accepted" login alice "$TOK_ES"
login_ok "EdDSA token from the auth center accepted" login alice "$TOK_ED"
login_ok "robot (client credentials) token accepted for robot-deploy" login robot-deploy "$TOK_ROBOT"
login_ok "RS256 token accepted again" login alice "$TOK_RS"

# ---- refusals ----------------------------------------------------------------

login_refused "token for another audience (ssh://host2) refused" login alice "$TOK_OTHER_AUD" "$E_AUTH"
login_refused "alice's token refused for bob" login bob "$TOK_ES" "$E_AUTH"
with_kid TOK_KIND "$TOK_ES" "$(token_kid "$TOK_RS")"
login_refused "ES256 token naming the auth center's RSA kid refused (alg bound to the key)" \
	login alice "$TOK_KIND" "$E_AUTH"

# Algorithm confusion: an HS256 token whose secret is the auth center's
# RSA public key (as PEM, and as the JWKS's JWK text), naming its kid.
RSA_KID=$(token_kid "$TOK_RS")
node -e '
	const fs = require("fs"), crypto = require("crypto");
	const [keys, kid, pem, jwk] = process.argv.slice(1);
	const k = JSON.parse(fs.readFileSync(keys, "utf8")).keys.find((x) => x.kid === kid);
	const pub = crypto.createPublicKey({ key: k, format: "jwk" });
	fs.writeFileSync(pem, pub.export({ type: "spki", format: "pem" }));
	fs.writeFileSync(jwk, JSON.stringify(pub.export({ format: "jwk" })));' \
	"$T/ac/keys.json" "$RSA_KID" "$T/keys/ac-rsa.pub.pem" "$T/keys/ac-rsa.pub.jwk" ||
	bail "cannot export the auth center's RSA public key"
for f in ac-rsa.pub.pem ac-rsa.pub.jwk; do
	out=$(node "$JOSE/hs-confusion.mjs" --pub "$T/keys/$f" --kid "$RSA_KID" --iss "$ISS" \
		--aud "$AUD" --sub alice --typ at+jwt) && [ -n "$out" ] || bail "hs-confusion failed"
	login_refused "HS256 token keyed with the auth center's RSA public key ($f) refused" \
		login alice "$out" "$E_AUTH"
done

is "fresh cache: no discovery request after the first login" "$(ac_count "$T/ac" discovery)" 0
is "fresh cache: no JWKS request after the first login" "$(ac_count "$T/ac" jwks)" 0

vf "$CONF" "$TOK_ED" --user alice
vf_accepted "pam-jwt verify accepts the EdDSA token from the same cache"
vf "$CONF" "$TOK_OTHER_AUD"
vf_refused_like "pam-jwt verify names the audience" 'audience'
is "pam-jwt verify made no request either" "$(ac_count "$T/ac" jwks)" 0

# ---- jwks_uri set: no discovery -----------------------------------------------

CACHE2=$T/cache2
pk_newcache "$CACHE2"
CONF2=$T/conf/jwks_uri.conf
pk_conf "$CONF2" "issuer = $ISS" "audience = $AUD" "ca_file = $T/ac/ca.pem" \
	"cache_dir = $CACHE2" "http_timeout = 2" "jwks_uri = $ISS/jwks"
pk_service login-uri "$CONF2"
ac_reset "$T/ac"
login_ok "jwks_uri configured: ES256 token accepted" login-uri alice "$TOK_ES"
is "jwks_uri configured: no discovery request" "$(ac_count "$T/ac" discovery)" 0
is "jwks_uri configured: one JWKS request" "$(ac_count "$T/ac" jwks)" 1

# ---- the auth center's certificate is checked against ca_file ------------------

CACHE3=$T/cache3
pk_newcache "$CACHE3"
CONF3=$T/conf/system-ca.conf
pk_conf "$CONF3" "issuer = $ISS" "audience = $AUD" "cache_dir = $CACHE3" "http_timeout = 2"
pk_service login-sysca "$CONF3"
login_refused "without ca_file the test CA is not trusted: refused as unavailable" \
	login-sysca alice "$TOK_ES" "$E_UNAVAIL"
vf "$CONF3" "$TOK_ES" refresh_min_interval=0
vf_refused_like "pam-jwt verify says the certificate is not trusted" \
	'^reason: unavailable: .*(certificate|SSL)'
is "no keys cached from an untrusted server" "$(cache_kids "$CACHE3" "$ISS")" ""

done_testing
