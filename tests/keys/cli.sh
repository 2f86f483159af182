#!/bin/bash
# `pam-jwt keys refresh` and `pam-jwt keys show`: refresh fetches every
# auth center's keys now (past the rate limit) and exits 0 when all were
# reachable, 1 when one was not, 2 on usage or configuration errors; show
# lists the cached keys (kid, type, size) and the cache's ages without
# touching the network.
set -u
. "${top_srcdir:?}/tests/keys/common.sh"
pk_require_built
pk_require_ac
pk_setup

ac_start "$T/ac"
ISS=$AC_ISS
CACHE=$T/cache
pk_newcache "$CACHE"
CONF=$T/conf/cli.conf
pk_conf "$CONF" "issuer = $ISS" "audience = $AUD" "ca_file = $T/ac/ca.pem" \
	"cache_dir = $CACHE" "http_timeout = 2"
ac_reset "$T/ac"
counts() { echo "$(ac_count "$T/ac" discovery) $(ac_count "$T/ac" jwks)"; }
KID_RS=$(node -e 'process.stdout.write(JSON.parse(require("fs").readFileSync(process.argv[1])).keys.find((k) => k.kty === "RSA").kid)' "$T/ac/keys.json")
KID_EC=$(node -e 'process.stdout.write(JSON.parse(require("fs").readFileSync(process.argv[1])).keys.find((k) => k.kty === "EC").kid)' "$T/ac/keys.json")
KID_ED=$(node -e 'process.stdout.write(JSON.parse(require("fs").readFileSync(process.argv[1])).keys.find((k) => k.kty === "OKP").kid)' "$T/ac/keys.json")

# ---- show before anything was fetched ----------------------------------------------------

keys_cmd show "$CONF"
is "show, nothing cached: exit 0" "$KC_RC" 0
like "show, nothing cached: says so" "$KC_OUT" "^issuer $ISS\$"
like "show, nothing cached: no usable cache" "$KC_OUT" 'no usable cache'
is "show makes no request" "$(counts)" "0 0"

# ---- refresh, reachable -------------------------------------------------------------------

keys_cmd refresh "$CONF"
is "refresh, reachable: exit 0" "$KC_RC" 0
is "refresh, reachable: reports the keys cached" "$KC_OUT" "$ISS: 3 key(s) cached"
is "refresh, reachable: nothing on stderr" "$KC_ERR" ""
is "refresh: one discovery and one JWKS request" "$(counts)" "1 1"
keys_cmd refresh "$CONF"
is "refresh again at once: fetches again (past the rate limit)" "$(counts)" "2 2"

# ---- show ------------------------------------------------------------------------------------

cache_edit "$CACHE" "$ISS" 'c.fetched = now - 100; c.attempt = now - 100; c.expires = now + 500;'
keys_cmd show "$CONF"
is "show: exit 0" "$KC_RC" 0
like "show: the issuer" "$KC_OUT" "^issuer $ISS\$"
like "show: the jwks_uri found by discovery" "$KC_OUT" "^  jwks_uri: $ISS/jwks\$"
like "show: age of the fetch" "$KC_OUT" '^  fetched: 10[01] s ago$'
like "show: freshness" "$KC_OUT" '^  fresh until: in (499|500) s$'
like "show: last attempt" "$KC_OUT" '^  last attempt: 10[01] s ago$'
like "show: the RSA key with kid, type and size" "$KC_OUT" "^  key kid=$KID_RS type=RSA bits=2048\$"
like "show: the P-256 key" "$KC_OUT" "^  key kid=$KID_EC type=EC P-256 bits=256 alg=ES256\$"
like "show: the Ed25519 key" "$KC_OUT" "^  key kid=$KID_ED type=Ed25519 bits=256 alg=EdDSA\$"
is "show: exactly three keys" "$(printf '%s\n' "$KC_OUT" | grep -c '^  key ')" 3
is "show: still no request" "$(counts)" "2 2"

# ---- refresh, unreachable ------------------------------------------------------------------

"$AC" stop "$T/ac" || bail "ac.sh stop failed"
keys_cmd refresh "$CONF"
is "refresh, auth center down, cache present: exit 1" "$KC_RC" 1
like "refresh, auth center down: stderr names the issuer and the failure" "$KC_ERR" \
	"^pam-jwt keys refresh: $ISS: auth center unreachable, using cached keys: .*(onnect|refused)"
ok "refresh, auth center down: does not claim the keys were cached" \
	sh -c "! printf '%s\n' \"\$1\" | grep -q 'cached\$'" _ "$KC_OUT"
keys_cmd show "$CONF"
like "show after the failed refresh: the cached keys are still listed" "$KC_OUT" "kid=$KID_EC "

pk_newcache "$CACHE"
keys_cmd refresh "$CONF"
is "refresh, auth center down, no cache: exit 1" "$KC_RC" 1
like "refresh, no cache: stderr says no usable keys" "$KC_ERR" \
	"^pam-jwt keys refresh: $ISS: no usable keys.*unreachable"
keys_cmd show "$CONF"
like "show after a failed first fetch: no keys cached" "$KC_OUT" 'no keys cached \(the last fetch failed\)'

ac_restart "$T/ac"
keys_cmd refresh "$CONF"
is "auth center back: refresh exit 0 at once (no rate limit for refresh)" "$KC_RC" 0

# ---- several auth centers, one down ------------------------------------------------------------

DEAD=https://127.0.0.1:9 # discard port: nothing listens
pk_conf "$T/conf/two.conf" "audience = $AUD" "cache_dir = $CACHE" "http_timeout = 2" \
	"[up]" "issuer = $ISS" "ca_file = $T/ac/ca.pem" \
	"[down]" "issuer = $DEAD" "ca_file = $T/ac/ca.pem"
keys_cmd refresh "$T/conf/two.conf"
is "two auth centers, one down: exit 1" "$KC_RC" 1
like "two auth centers: the reachable one is refreshed" "$KC_OUT" "^$ISS: 3 key\(s\) cached\$"
like "two auth centers: stderr names the one that is down" "$KC_ERR" "^pam-jwt keys refresh: $DEAD: "
ok "two auth centers: stderr does not blame the reachable one" \
	sh -c "! printf '%s\n' \"\$1\" | grep -qF \"\$2:\"" _ "$KC_ERR" "$ISS"
keys_cmd show "$T/conf/two.conf"
is "show with two auth centers: exit 0" "$KC_RC" 0
is "show lists both issuers" "$(printf '%s\n' "$KC_OUT" | grep -c '^issuer ')" 2

# ---- the cache cannot be written --------------------------------------------------------------

pk_conf "$T/conf/nowrite.conf" "issuer = $ISS" "audience = $AUD" "ca_file = $T/ac/ca.pem" \
	"cache_dir = $T/missing/parent/cache" "http_timeout = 2"
keys_cmd refresh "$T/conf/nowrite.conf"
is "cache dir cannot be created: refresh exit 1" "$KC_RC" 1
like "cache dir cannot be created: stderr says the cache was not updated" "$KC_ERR" \
	'cannot update the key cache'

# ---- static keys ----------------------------------------------------------------------------------

jkeygen ES256 "$T/keys/static" static-ec
jjwks "$T/keys/static.jwks" "$T/keys/static.pub.jwk"
pk_conf "$T/conf/static.conf" "issuer = https://static.example" "audience = $AUD" \
	"jwks_file = $T/keys/static.jwks" "cache_dir = $CACHE"
keys_cmd refresh "$T/conf/static.conf"
is "static keys: refresh exit 0" "$KC_RC" 0
like "static keys: refresh says there is nothing to refresh" "$KC_OUT" 'static keys from the configuration, nothing to refresh'
keys_cmd show "$T/conf/static.conf"
like "static keys: show says nothing is cached" "$KC_OUT" 'static keys from the configuration'

# ---- usage and configuration errors ----------------------------------------------------------------

# run_cli ARG...: pam-jwt ARG...; sets KC_OUT, KC_ERR, KC_RC.
run_cli() {
	KC_OUT=$("$PK_CLI" "$@" 2>"$T/kc.err")
	KC_RC=$?
	KC_ERR=$(cat "$T/kc.err")
}

run_cli keys
is "keys without a command: exit 2" "$KC_RC" 2
like "keys without a command: usage on stderr" "$KC_ERR" '^usage: pam-jwt keys refresh'
run_cli keys --help
is "keys --help: exit 0" "$KC_RC" 0
like "keys --help: usage on stdout" "$KC_OUT" 'pam-jwt keys show'
run_cli keys rotate --config "$CONF"
is "unknown keys command: exit 2" "$KC_RC" 2
like "unknown keys command: named" "$KC_ERR" 'unknown command "rotate"'
run_cli keys refresh --verbose --config "$CONF"
is "unknown argument: exit 2" "$KC_RC" 2
like "unknown argument: named" "$KC_ERR" 'unexpected argument "--verbose"'
run_cli keys refresh --config "$T/conf/nonexistent.conf"
is "missing config file: exit 2" "$KC_RC" 2
like "missing config file: configuration error naming the file" "$KC_ERR" \
	"configuration error: .*nonexistent\.conf"
pk_conf "$T/conf/typo.conf" "issuer = $ISS" "audience = $AUD" "cache_dirr = $CACHE"
run_cli keys show --config "$T/conf/typo.conf"
is "unknown option in the config: exit 2" "$KC_RC" 2
like "unknown option in the config: file, line and option named" "$KC_ERR" \
	'typo\.conf:5: unknown option "cache_dirr"'
pk_conf "$T/conf/ww.conf" "issuer = $ISS" "audience = $AUD" "ca_file = $T/ac/ca.pem" "cache_dir = $CACHE"
chmod 666 "$T/conf/ww.conf"
ac_reset "$T/ac"
run_cli keys refresh --config "$T/conf/ww.conf"
is "world-writable config: refresh refused (exit 2)" "$KC_RC" 2
like "world-writable config: says why" "$KC_ERR" 'writable by group or others'
is "world-writable config: no request made" "$(counts)" "0 0"
pk_conf "$T/conf/nosec.conf" "audience = $AUD" "[x]" "audience = $AUD"
run_cli keys refresh --config "$T/conf/nosec.conf"
is "section without issuer: exit 2" "$KC_RC" 2
like "section without issuer: says so" "$KC_ERR" 'section has no issuer'

done_testing
