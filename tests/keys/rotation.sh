#!/bin/bash
# Key rotation at the auth center: a token with a new kid is accepted
# after exactly one JWKS refetch (at once with refresh_min_interval=0,
# else once the interval has passed); a token of a removed key is refused
# once the keys were refreshed; with --keep-old both are accepted.
#
# "The interval has passed" is simulated by moving the cache's last
# attempt back (cache_edit): no sleeping, and no race with a slow machine.
set -u
. "${top_srcdir:?}/tests/keys/common.sh"
pk_require_built
pk_require_ac
pk_setup

MIN=60 # refresh_min_interval of the rate-limited configuration, seconds

ac_start "$T/ac"
ISS=$AC_ISS
pk_newcache "$T/c0"
pk_newcache "$T/cn"
pk_conf "$T/conf/r0.conf" "issuer = $ISS" "audience = $AUD" "ca_file = $T/ac/ca.pem" \
	"cache_dir = $T/c0" "http_timeout = 2" "refresh_min_interval = 0"
pk_conf "$T/conf/rn.conf" "issuer = $ISS" "audience = $AUD" "ca_file = $T/ac/ca.pem" \
	"cache_dir = $T/cn" "http_timeout = 2" "refresh_min_interval = $MIN"
pk_service r0 "$T/conf/r0.conf"
pk_service rn "$T/conf/rn.conf"

jwks_now() { ac_count "$T/ac" jwks; }

ac_mint OLD "$T/ac" --alg ES256
OLD_KID=$(token_kid "$OLD")

login_ok "before rotation: token accepted (interval 0)" r0 alice "$OLD"
login_ok "before rotation: token accepted (interval ${MIN}s)" rn alice "$OLD"

# ---- rotation without --keep-old ---------------------------------------------

ac_rotate "$T/ac"
ac_mint NEW "$T/ac" --alg ES256
NEW_KID=$(token_kid "$NEW")
ok "rotation gave the token a new kid" test -n "$NEW_KID" -a "$NEW_KID" != "$OLD_KID"
ac_reset "$T/ac" # (rotate restarted the server, so the counters were zero anyway)

# Rate limited: within the interval of the last fetch, the new kid does
# not make pam_jwt fetch again.
login_refused "new kid within refresh_min_interval: refused, no refetch yet" rn alice "$NEW" "$E_AUTH"
is "new kid within refresh_min_interval: no JWKS request" "$(jwks_now)" 0
login_ok "removed key, before any refresh: still accepted from the fresh cache" rn alice "$OLD"

login_ok "new kid, refresh_min_interval=0: accepted" r0 alice "$NEW"
is "new kid, refresh_min_interval=0: exactly one JWKS refetch" "$(jwks_now)" 1
login_ok "new kid again: accepted from the cache" r0 alice "$NEW"
is "new kid again: no further JWKS request" "$(jwks_now)" 1
is "cache now holds only the new keys" "$(cache_kids "$T/c0" "$ISS")" \
	"$(node -e 'const k=JSON.parse(require("fs").readFileSync(process.argv[1])).keys;
		process.stdout.write(k.map((x) => x.kid).sort().join(" "))' "$T/ac/keys.json")"
login_refused "removed key after the refresh: refused" r0 alice "$OLD" "$E_AUTH"
vf "$T/conf/r0.conf" "$OLD"
vf_refused_like "removed key after the refresh: the reason is the unknown kid" '^reason: key: .*kid'

# Once the interval has passed, the new kid makes one refetch.
cache_edit "$T/cn" "$ISS" "c.attempt = now - $MIN - 1;"
ac_reset "$T/ac"
login_ok "new kid after refresh_min_interval: accepted" rn alice "$NEW"
is "new kid after refresh_min_interval: exactly one JWKS refetch" "$(jwks_now)" 1
login_refused "removed key after that refresh: refused (rate-limited, no new fetch)" rn alice "$OLD" "$E_AUTH"
is "removed key: no JWKS request within the interval" "$(jwks_now)" 1

# ---- rotation with --keep-old --------------------------------------------------

ac_rotate "$T/ac" --keep-old
ac_mint NEWER "$T/ac" --alg ES256
ok "rotation --keep-old gave another new kid" test "$(token_kid "$NEWER")" != "$NEW_KID"
ac_reset "$T/ac"
login_ok "--keep-old: newest kid accepted" r0 alice "$NEWER"
is "--keep-old: exactly one JWKS refetch" "$(jwks_now)" 1
login_ok "--keep-old: previous key still accepted" r0 alice "$NEW"
is "--keep-old: the previous key needed no refetch" "$(jwks_now)" 1
login_refused "--keep-old: the key removed by the earlier rotation stays refused" r0 alice "$OLD" "$E_AUTH"

done_testing
