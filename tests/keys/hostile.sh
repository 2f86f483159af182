#!/bin/bash
# A hostile or broken auth center (tests/keys/hostile.mjs): slow answers,
# oversized bodies, invalid JSON, weak or invalid keys, duplicate kids,
# private or secret keys in the JWKS, a discovery document for another
# issuer or with an http jwks_uri, a redirect to http, wrong
# certificates, HTTP 500, a connection reset mid-response.
#
# For each: with a good cache (made by a good fetch from the same server,
# which then switched mode) the login still works from the cached keys,
# the cache is kept and `pam-jwt keys refresh` fails with the reason;
# without a cache the token is refused (PAM_AUTHINFO_UNAVAIL) and
# `pam-jwt verify` gives that reason.  Slow servers cost at most
# http_timeout.
#
# The server's issuer is its own URL, its keys are made by
# tests/jose-tools, so tokens can be signed for it.
set -u
. "${top_srcdir:?}/tests/keys/common.sh"
pk_require_built
pk_setup

TIMEOUT=2
H=$T/hs
mkdir -p "$H"
hs_certs "$H"

# ---- keys and JWKS bodies ---------------------------------------------------------

jkeygen RS256 "$H/rsa" h-rsa
jkeygen ES256 "$H/ec" h-ec
jkeygen EdDSA "$H/ed" h-ed
jkeygen RS256 "$H/weak" h-weak --bits 1024
jkeygen ES256 "$H/ec2" h-ec # another key under the same kid
jjwks "$H/good.jwks" "$H/rsa.pub.jwk" "$H/ec.pub.jwk" "$H/ed.pub.jwk"
jjwks "$H/weak.jwks" "$H/weak.pub.jwk"
jjwks "$H/mixed-weak.jwks" "$H/rsa.pub.jwk" "$H/weak.pub.jwk"
jjwks "$H/dup-partial.jwks" "$H/rsa.pub.jwk" "$H/ec.pub.jwk" "$H/ec2.pub.jwk"
jjwks "$H/empty.jwks"
head -c 32 /dev/urandom >"$H/hmac.secret"

# jwks_js OUT JS FILE...: write {"keys": <JS>} where k[i] is the i-th JWK file.
jwks_js() {
	local out=$1 js=$2
	shift 2
	node -e '
		const fs = require("fs");
		const [out, js, ...files] = process.argv.slice(1);
		const k = files.map((f) => JSON.parse(fs.readFileSync(f, "utf8")));
		const secret = fs.readFileSync(process.env.SECRET_FILE).toString("base64url");
		fs.writeFileSync(out, JSON.stringify({ keys: eval(js) }));' "$out" "$js" "$@" ||
		bail "jwks_js $out failed"
	chmod 644 "$out"
}
export SECRET_FILE=$H/hmac.secret
# an EC point off the curve: y of h-ec with its last bit flipped
jwks_js "$H/offcurve.jwks" '[(() => { const y = Buffer.from(k[0].y, "base64url"); y[31] ^= 1;
	return { ...k[0], y: y.toString("base64url") }; })()]' "$H/ec.pub.jwk"
# two keys, one kid: both ambiguous
jwks_js "$H/dupkid.jwks" '[{ ...k[0], kid: "dup" }, { ...k[1], kid: "dup" }]' "$H/rsa.pub.jwk" "$H/ec.pub.jwk"
# a private key published as the JWKS
jwks_js "$H/private.jwks" '[k[0]]' "$H/ec.priv.jwk"
# a shared secret (oct) in the JWKS: never a verification key
jwks_js "$H/oct.jwks" '[{ kty: "oct", kid: "h-oct", k: secret }]'
jwks_js "$H/mixed-oct.jwks" '[k[0], { kty: "oct", kid: "h-oct", k: secret }]' "$H/rsa.pub.jwk"
# no "keys" member at all
echo '{"jwks":[]}' >"$H/nokeys.json"
# 65 keys (the limit is 64)
# shellcheck disable=SC2016 # a JavaScript template literal
jwks_js "$H/many.jwks" 'Array.from({ length: 65 }, (_, i) => ({ ...k[0], kid: `many-${i}` }))' "$H/ec.pub.jwk"
# JSON nested 100 deep
jwks_js "$H/deep.jwks" '[k[0], JSON.parse("[".repeat(100) + "]".repeat(100))]' "$H/ec.pub.jwk"

hs_start "$H"
ISS=$HS_ISS

jmint TOK_EC --key "$H/ec.priv.jwk" --alg ES256 --kid h-ec --iss "$ISS"
jmint TOK_RS --key "$H/rsa.priv.jwk" --alg RS256 --kid h-rsa --iss "$ISS"
jmint TOK_ED --key "$H/ed.priv.jwk" --alg EdDSA --kid h-ed --iss "$ISS"
jmint TOK_WEAK --key "$H/weak.priv.pem" --alg RS256 --kid h-weak --iss "$ISS"
jmint TOK_EC2 --key "$H/ec2.priv.jwk" --alg ES256 --kid h-ec --iss "$ISS"
jmint TOK_OCT --alg HS256 --secret-file "$H/hmac.secret" --kid h-oct --iss "$ISS"

# conf NAME CACHEDIR [LINE...]: a config for the hostile server, every
# login may fetch (refresh_min_interval 0).
conf() {
	local name=$1 cache=$2
	shift 2
	pk_conf "$T/conf/$name.conf" "issuer = $ISS" "audience = $AUD" "ca_file = $H/ca.pem" \
		"cache_dir = $cache" "http_timeout = $TIMEOUT" "refresh_min_interval = 0" "$@"
	pk_service "$name" "$T/conf/$name.conf"
}

CACHE=$T/cache
pk_newcache "$CACHE"
conf cached "$CACHE"

# ---- the good server, as a baseline ----------------------------------------------------

hs_set "$H" "mode=good"
login_ok "good server: ES256 token accepted" cached alice "$TOK_EC"
login_ok "good server: RS256 token accepted" cached alice "$TOK_RS"
login_ok "good server: EdDSA token accepted" cached alice "$TOK_ED"
GOOD_KIDS="h-ec h-ed h-rsa"
is "good server: the cache holds its three keys" "$(cache_kids "$CACHE" "$ISS")" "$GOOD_KIDS"

# good_cache: a good fetch that leaves the cache already expired
# (Cache-Control: no-store), so that the next login fetches again.
good_cache() {
	hs_set "$H" "mode=good&cc=no-store"
	keys_cmd refresh "$T/conf/cached.conf"
	[ "$KC_RC" -eq 0 ] || bail "good refresh failed: $KC_ERR"
}

good_cache
hs_set "$H" "mode=good"
hs_reset "$H"
login_ok "good server, no-store: accepted" cached alice "$TOK_EC"
is "good server, no-store: the login fetched again (discovery + JWKS)" "$(hs_requests "$H")" 2

# ---- one case per kind of hostile answer --------------------------------------------------

# hostile NAME QUERY REGEX [slow]: the server answers as QUERY says;
# REGEX is what the refusal reason must say.
hostile() {
	local name=$1 query=$2 re=$3 slow=${4:-} nc=$T/nc-$1
	# with a good cache
	good_cache
	hs_set "$H" "$query"
	hs_reset "$H"
	login_ok "$name: cached key still accepted" cached alice "$TOK_EC"
	[ -n "$slow" ] && below "$name: cached login within http_timeout + 2 s (ms)" "$PT_MS" $((TIMEOUT * 1000 + 2000))
	ok "$name: the login did connect to the server" test "$(hs_count "$H" connections)" -ge 1
	is "$name: cached keys kept" "$(cache_kids "$CACHE" "$ISS")" "$GOOD_KIDS"
	keys_cmd refresh "$T/conf/cached.conf"
	if [ "$KC_RC" -eq 1 ] && printf '%s\n' "$KC_ERR" | grep -q 'using cached keys' &&
		printf '%s\n' "$KC_ERR" | grep -Eq -- "$re"; then
		ok "$name: keys refresh fails (exit 1) with the reason" true
	else
		ok "$name: keys refresh fails (exit 1) with the reason" false
		diag "  exit $KC_RC, want 1 and a reason matching: $re; stderr:"
		printf '%s\n' "$KC_ERR" | sed 's/^/#     /'
	fi
	# without a cache
	pk_newcache "$nc"
	conf "nc-$name" "$nc"
	vf "$T/conf/nc-$name.conf" "$TOK_EC"
	vf_refused_like "$name: no cache: pam-jwt verify refuses with the reason" \
		"^reason: unavailable: no usable keys.*$re"
	[ -n "$slow" ] && below "$name: no cache: verify within http_timeout + 2 s (ms)" "$VF_MS" $((TIMEOUT * 1000 + 2000))
	login_refused "$name: no cache: login refused as unavailable" "nc-$name" alice "$TOK_EC" "$E_UNAVAIL"
	is "$name: no cache: nothing cached" "$(cache_kids "$nc" "$ISS")" ""
}

hostile slow-jwks "mode=good&jdelay=30000" '[Tt]ime.?out|timed out' slow
hostile slow-discovery "mode=good&ddelay=30000" '[Tt]ime.?out|timed out' slow
hostile oversized "mode=big" 'larger than 262144 bytes'
hostile oversized-chunked "mode=big-chunked" 'larger than 262144 bytes'
hostile invalid-json "mode=badjson" 'did not send a JSON object'
hostile no-keys-array "mode=file&file=nokeys.json" 'no "keys" array'
hostile empty-jwks "mode=file&file=empty.jwks" 'JWKS from .* has no usable key'
hostile rsa-1024 "mode=file&file=weak.jwks" 'RSA key of 1024 bits refused'
hostile ec-off-curve "mode=file&file=offcurve.jwks" 'not on the curve|EC key refused'
hostile duplicate-kids "mode=file&file=dupkid.jwks" 'duplicate kid'
hostile private-key "mode=file&file=private.jwks" 'private key material'
hostile oct-secret "mode=file&file=oct.jwks" 'oct JWK ignored'
hostile too-many-keys "mode=file&file=many.jwks" 'more than 64 keys'
hostile deep-json "mode=file&file=deep.jwks" 'did not send a JSON object'
hostile other-issuer "mode=other-issuer" 'names another issuer'

# Text from the auth center in a reason (here a jwks_uri with a terminal
# escape and a newline that starts a forged log line) reaches the log and
# the terminal only as printable ASCII.
hs_set "$H" "mode=ctl-jwks-uri"
pk_newcache "$T/nc-ctl"
conf nc-ctl "$T/nc-ctl"
vf "$T/conf/nc-ctl.conf" "$TOK_EC"
vf_refused_like "jwks_uri with control characters: refused as unavailable" '^reason: unavailable'
ok "jwks_uri with control characters: no control byte in what verify prints" \
	sh -c "! LC_ALL=C grep -q '[^[:print:]]' '$T/vf.out'"
ok "jwks_uri with control characters: no forged line" sh -c "! grep -q '^FORGED' '$T/vf.out'"
hostile http-jwks-uri "mode=http-jwks-uri" 'no https jwks_uri'
hostile redirect-to-http "mode=redirect-http" '[Pp]rotocol.*(not supported|disabled)|redirect'
hostile wrong-name-cert "cert=wrongname" 'subject name|does not match|host ?name'
hostile self-signed-cert "cert=selfsigned" 'self.signed|unable to get local issuer'
hostile http-500 "mode=status500" 'answered HTTP 500'
hostile connection-reset "mode=reset" 'reset|Recv failure|transfer closed|SSL_read|unexpected eof'
hs_set "$H" "mode=good"

# ---- a JWKS with some bad keys: the good ones are used, the bad ones never ---------------

pk_newcache "$T/cmix"
conf mixed "$T/cmix"
hs_set "$H" "mode=file&file=mixed-weak.jwks"
keys_cmd refresh "$T/conf/mixed.conf"
is "1024-bit key next to a good key: keys refresh succeeds" "$KC_RC" 0
like "1024-bit key next to a good key: keys refresh names the refused key" "$KC_ERR" \
	'keys refused.*RSA key of 1024 bits refused'
keys_cmd show "$T/conf/mixed.conf"
like "1024-bit key next to a good key: keys show counts the refused key" "$KC_OUT" '1 key\(s\) refused'
login_ok "1024-bit key next to a good key: the good key's token accepted" mixed alice "$TOK_RS"
login_refused "token signed by the 1024-bit key refused" mixed alice "$TOK_WEAK" "$E_AUTH"

pk_newcache "$T/cmix"
hs_set "$H" "mode=file&file=dup-partial.jwks"
login_ok "kid shared by two keys: a token of another kid accepted" mixed alice "$TOK_RS"
login_refused "kid shared by two keys: token of the first key refused (ambiguous)" mixed alice "$TOK_EC" "$E_AUTH"
login_refused "kid shared by two keys: token of the second key refused (ambiguous)" mixed alice "$TOK_EC2" "$E_AUTH"

pk_newcache "$T/cmix"
hs_set "$H" "mode=file&file=mixed-oct.jwks"
login_ok "oct secret next to an RSA key: the RSA token accepted" mixed alice "$TOK_RS"
login_refused "HS256 token signed with the JWKS's oct secret refused" mixed alice "$TOK_OCT" "$E_AUTH"
hs_set "$H" "mode=good"

# ---- Cache-Control: honoured within [refresh_min_interval, refresh_interval] -------------

pk_newcache "$T/ccc"
conf ccc "$T/ccc" "refresh_min_interval = 30" "refresh_interval = 2h"
# ttl_after CC: the cache lifetime after a fetch answered with Cache-Control CC.
ttl_after() {
	hs_set "$H" "mode=good&cc=$1"
	keys_cmd refresh "$T/conf/ccc.conf"
	node -e 'const c = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
		process.stdout.write(String(c.expires - c.fetched));' "$(cache_file "$T/ccc" "$ISS")"
}
is "no Cache-Control: cached for refresh_interval" "$(ttl_after '')" 7200
is "Cache-Control max-age=600: cached for 600 s" "$(ttl_after 'max-age%3D600')" 600
is "Cache-Control max-age=10: raised to refresh_min_interval" "$(ttl_after 'max-age%3D10')" 30
is "Cache-Control no-store: refresh_min_interval" "$(ttl_after 'no-store')" 30
is "Cache-Control max-age=99999999: capped at refresh_interval" "$(ttl_after 'max-age%3D99999999')" 7200
is "Cache-Control public, max-age=900: cached for 900 s" "$(ttl_after 'public%2C%20max-age%3D900')" 900
hs_set "$H" "mode=good"

# ---- time budget: discovery and JWKS both slow ---------------------------------------------
# Discovery answers just inside http_timeout, then the JWKS hangs: the
# whole login must still be bounded by http_timeout (plus slack), not
# by once per request.

pk_newcache "$T/cdrip"
pk_conf "$T/conf/drip.conf" "issuer = $ISS" "audience = $AUD" "ca_file = $H/ca.pem" \
	"cache_dir = $T/cdrip" "http_timeout = 3"
hs_set "$H" "mode=good&ddelay=2500&jdelay=30000"
vf "$T/conf/drip.conf" "$TOK_EC"
vf_refused_like "slow discovery then hanging JWKS: refused" '^reason: unavailable: .*[Tt]ime'
below "slow discovery then hanging JWKS: over within http_timeout (3 s) + 2 s (ms)" "$VF_MS" 5000
hs_set "$H" "mode=good"

done_testing
