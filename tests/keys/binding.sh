#!/bin/bash
# The key cache is bound to its source: the issuer, the configured
# jwks_uri (or discovery) and the trust anchors (ca_file, ca_dir).  Two
# PAM stacks that share a cache directory and an issuer but fetch from
# different places never use each other's keys, and after an
# administrator changes jwks_uri or ca_file the keys cached under the old
# setting are not trusted any more.  Against a test server (hostile.mjs)
# that serves one key set or another.
set -u
. "${top_srcdir:?}/tests/keys/common.sh"
pk_require_built
pk_require_ac
pk_setup

H=$T/hs
mkdir -p "$H"
hs_certs "$H"
jkeygen ES256 "$H/k1" k1
jkeygen ES256 "$H/k2" k2
jjwks "$H/good.jwks" "$H/k1.pub.jwk"
jjwks "$H/k2.jwks" "$H/k2.pub.jwk"
hs_start "$H"
ISS=$HS_ISS
cp "$H/ca.pem" "$T/keys/ca-copy.pem"
chmod 644 "$T/keys/ca-copy.pem"

jmint TOK1 --key "$H/k1.priv.jwk" --alg ES256 --kid k1 --iss "$ISS"
jmint TOK2 --key "$H/k2.priv.jwk" --alg ES256 --kid k2 --iss "$ISS"

CACHE=$T/cache
pk_newcache "$CACHE"
base=("issuer = $ISS" "audience = $AUD" "cache_dir = $CACHE" "http_timeout = 2"
	"refresh_min_interval = 3600")

# ---- two stacks, one cache directory ----------------------------------------

# Stack A: discovery; the server serves k1.
pk_conf "$T/conf/a.conf" "${base[@]}" "ca_file = $H/ca.pem"
pk_service stack-a "$T/conf/a.conf"
hs_set "$H" "mode=good"
login_ok "stack A (discovery, k1): k1 token accepted, keys cached" stack-a alice "$TOK1"
FA=$CACHE/$(cache_binding "$ISS" "" "$H/ca.pem").json
ok "stack A's cache file is named for issuer, discovery and its CA" test -f "$FA"

# Stack B: the same issuer and cache_dir, its own jwks_uri, which serves
# only k2 from now on.
hs_set "$H" "mode=file&file=k2.jwks"
pk_conf "$T/conf/b.conf" "${base[@]}" "ca_file = $H/ca.pem" "jwks_uri = $ISS/jwks?b"
pk_service stack-b "$T/conf/b.conf"
hs_reset "$H"
login_refused "stack B (jwks_uri with k2 only): a k1 token is refused, A's cache is not B's" \
	stack-b alice "$TOK1" "$E_AUTH"
is "stack B fetched its own key set" "$(hs_count "$H" jwks)" 1
is "stack B made no discovery request (its jwks_uri is configured)" "$(hs_count "$H" discovery)" 0
login_ok "stack B: a k2 token is accepted" stack-b alice "$TOK2"
FB=$CACHE/$(cache_binding "$ISS" "$ISS/jwks?b" "$H/ca.pem").json
ok "stack B has a cache file of its own" test -f "$FB"
ok "the two cache files differ" test "$FA" != "$FB"
login_ok "stack A still accepts k1 from its own cache" stack-a alice "$TOK1"
login_refused "stack A does not take k2 from B's cache" stack-a alice "$TOK2" "$E_AUTH"
vf "$T/conf/b.conf" "$TOK1"
vf_refused_like "pam-jwt verify with B's configuration refuses the k1 token too" 'key'

# ---- an administrator changes jwks_uri ----------------------------------------

pk_newcache "$CACHE"
hs_set "$H" "mode=good"
pk_conf "$T/conf/c.conf" "${base[@]}" "ca_file = $H/ca.pem" "jwks_uri = $ISS/jwks?old"
pk_service stack-c "$T/conf/c.conf"
login_ok "jwks_uri=old (k1): k1 token accepted" stack-c alice "$TOK1"
hs_set "$H" "mode=file&file=k2.jwks"
pk_conf "$T/conf/c.conf" "${base[@]}" "ca_file = $H/ca.pem" "jwks_uri = $ISS/jwks?new"
hs_reset "$H"
login_refused "jwks_uri changed to one with k2 only: the k1 keys cached under the old URI are not used" \
	stack-c alice "$TOK1" "$E_AUTH"
is "the new jwks_uri was fetched at once (the rate limit of the old source does not apply)" \
	"$(hs_count "$H" jwks)" 1
login_ok "jwks_uri changed: a k2 token is accepted" stack-c alice "$TOK2"

# ---- an administrator changes the trust anchors ---------------------------------

pk_newcache "$CACHE"
hs_set "$H" "mode=good"
pk_conf "$T/conf/d.conf" "${base[@]}" "ca_file = $H/ca.pem"
pk_service stack-d "$T/conf/d.conf"
login_ok "ca_file=X: k1 token accepted" stack-d alice "$TOK1"
hs_set "$H" "mode=file&file=k2.jwks"
pk_conf "$T/conf/d.conf" "${base[@]}" "ca_file = $T/keys/ca-copy.pem"
hs_reset "$H"
login_refused "ca_file changed: keys fetched under the old trust anchors are not used" \
	stack-d alice "$TOK1" "$E_AUTH"
is "ca_file changed: the key set was fetched again" "$(hs_count "$H" jwks)" 1

# ---- a cache file of another source, renamed into place ---------------------------

pk_newcache "$CACHE"
hs_set "$H" "mode=good"
login_ok "stack A fills its cache with k1 again" stack-a alice "$TOK1"
hs_set "$H" "mode=status500"
cp "$FA" "$FB"
pt stack-b alice "$TOK1"
pt_is_refused_any "A's cache file copied under B's name (auth center failing): refused, not trusted"

done_testing
