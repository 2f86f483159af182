#!/bin/bash
# Unknown-kid flood: tokens naming kids the auth center never published
# (a real token whose header kid was changed: the kid lookup comes before
# the signature check) must not turn into a flood of JWKS requests: at
# most one fetch per refresh_min_interval (the default, 60 s), sequential
# or concurrent, and the kid never ends up in a URL.  Failed fetches are
# rate-limited too: a hanging auth center costs one time-out, not one per
# login.
#
# "The interval has passed" is simulated by moving the cache's last
# attempt back (cache_edit), so the test needs no minute-long sleeps;
# rotation.sh waits for a real (short) interval.
set -u
. "${top_srcdir:?}/tests/keys/common.sh"
pk_require_built
pk_require_ac
pk_setup

N=20 # tokens per flood

ac_start "$T/ac"
ISS=$AC_ISS
pk_newcache "$T/cache"
CONF=$T/conf/flood.conf
pk_conf "$CONF" "issuer = $ISS" "audience = $AUD" "ca_file = $T/ac/ca.pem" \
	"cache_dir = $T/cache" "http_timeout = 2"
pk_service flood "$CONF"

ac_mint TOK "$T/ac" --alg ES256
# N kids nobody published, some of them shaped like paths, queries or URLs.
KIDS=("../../../../etc/passwd" "a?kid=b&x=1" "%2e%2e%2f" "https://evil.example/jwks"
	"kid with spaces" "$(head -c 200 /dev/zero | tr '\0' k)")
while [ ${#KIDS[@]} -lt $N ]; do KIDS+=("flood-$(openssl rand -hex 6)"); done
with_kids FLOOD "$TOK" "${KIDS[@]}"

jwks_now() { ac_count "$T/ac" jwks; }

# interval_passed CACHEDIR ISSUER: the last fetch attempt was 61 s ago.
interval_passed() {
	cache_edit "$1" "$2" 'c.attempt = now - 61;'
}

# flood_seq NAME SERVICE: the N tokens, one login after the other; all
# refused.  Sets SEQ_MS.
flood_seq() {
	local t refused=0 t0
	t0=$(now_ms)
	for t in "${FLOOD[@]}"; do
		pt "$2" alice "$t"
		[ "$PT_RC" -ne 0 ] && [[ $PT_OUT == *"pamtester: $E_AUTH"* ]] && refused=$((refused + 1))
	done
	SEQ_MS=$(($(now_ms) - t0))
	is "$1: all $N unknown-kid tokens refused" "$refused" "$N"
}

# flood_par NAME SERVICE: the N tokens, all logins at once; all refused.
# Sets PAR_MS.
flood_par() {
	local svc=$2 i pids=() refused=0 t0
	t0=$(now_ms)
	for i in "${!FLOOD[@]}"; do
		printf '%s\n' "${FLOOD[$i]}" | env LD_PRELOAD="$PK_PAM_WRAPPER $PK_NSS_WRAPPER" \
			PAM_WRAPPER=1 PAM_WRAPPER_SERVICE_DIR="$PK_SVC" \
			NSS_WRAPPER_PASSWD="$T/passwd" NSS_WRAPPER_GROUP="$T/group" \
			pamtester -v "$svc" alice authenticate >"$T/par.$i" 2>&1 &
		pids+=($!)
	done
	for i in "${!pids[@]}"; do
		if wait "${pids[$i]}"; then :; elif grep -q "pamtester: $E_AUTH" "$T/par.$i"; then
			refused=$((refused + 1))
		fi
	done
	PAR_MS=$(($(now_ms) - t0))
	is "$1: all $N concurrent unknown-kid logins refused" "$refused" "$N"
}

ac_reset "$T/ac"
login_ok "good token accepted (first fetch)" flood alice "$TOK"
is "first fetch: one JWKS request" "$(jwks_now)" 1

# ---- within the interval of the last fetch: no request at all -------------------

ac_reset "$T/ac"
flood_seq "flood right after a fetch" flood
is "flood right after a fetch: no JWKS request" "$(jwks_now)" 0

# ---- interval passed: exactly one request for the whole flood --------------------

interval_passed "$T/cache" "$ISS"
ac_reset "$T/ac"
flood_seq "sequential flood after the interval" flood
is "sequential flood after the interval: exactly one JWKS request" "$(jwks_now)" 1

interval_passed "$T/cache" "$ISS"
ac_reset "$T/ac"
flood_par "concurrent flood after the interval" flood
is "concurrent flood after the interval: exactly one JWKS request" "$(jwks_now)" 1

login_ok "good token still accepted after the floods" flood alice "$TOK"
is "good token: served from the cache" "$(jwks_now)" 1
is "the kids never reached the auth center: only discovery and /jwks were asked" \
	"$(ac_paths "$T/ac" | sort | tr '\n' ' ')" "/.well-known/openid-configuration /jwks "

# ---- no cache at all: a concurrent flood still makes one request -------------------

pk_newcache "$T/cache"
ac_reset "$T/ac"
flood_par "concurrent flood on an empty cache" flood
is "concurrent flood on an empty cache: exactly one JWKS request" "$(jwks_now)" 1

# ---- the cache cannot be used: the rate limit must still hold -----------------------
# remote.h: "the JWKS is fetched, at most once per refresh_min_interval
# per issuer".  Here the cache directory cannot be created (its parent is
# missing), so no attempt can be recorded on disk.  Whether the logins
# are refused (fail closed) or served by one fetch is not asserted: only
# that 10 logins do not make 10 fetches.

NOCACHE_CONF=$T/conf/nocache.conf
pk_conf "$NOCACHE_CONF" "issuer = $ISS" "audience = $AUD" "ca_file = $T/ac/ca.pem" \
	"cache_dir = $T/missing/cache" "http_timeout = 2"
pk_service nocache "$NOCACHE_CONF"
ac_reset "$T/ac"
pt nocache alice "$TOK"
diag "  cache dir cannot be created: the good token was $([ "$PT_RC" -eq 0 ] && echo accepted || echo refused)"
refused=0
for t in "${FLOOD[@]:0:10}"; do
	pt nocache alice "$t"
	[ "$PT_RC" -ne 0 ] && refused=$((refused + 1))
done
is "cache dir cannot be created: 10 unknown-kid tokens refused" "$refused" 10
below "cache dir cannot be created: 11 logins make at most one JWKS request (total < 2)" \
	"$(jwks_now)" 2

# ---- a hanging auth center: one time-out, not one per login -------------------------

H=$T/hs
mkdir -p "$H"
hs_certs "$H"
jkeygen ES256 "$H/ec" h-ec
jjwks "$H/good.jwks" "$H/ec.pub.jwk"
hs_start "$H"
pk_newcache "$T/hcache"
HCONF=$T/conf/hanging.conf
pk_conf "$HCONF" "issuer = $HS_ISS" "audience = $AUD" "ca_file = $T/hs/ca.pem" \
	"cache_dir = $T/hcache" "http_timeout = 2"
pk_service hanging "$HCONF"
jmint HTOK --key "$H/ec.priv.jwk" --alg ES256 --kid h-ec --iss "$HS_ISS"
with_kids FLOOD "$HTOK" "${KIDS[@]}"

# Keys come only from the configured auth center: headers that name
# other key sources (jku, x5u, jwk, x5c) pointing at the hostile server
# are never followed, even when the kid is unknown and a refetch is due.
interval_passed "$T/cache" "$ISS"
hs_reset "$H"
ac_reset "$T/ac"
with_header JKU "$TOK" "{\"kid\":\"jku-kid\",\"jku\":\"$HS_ISS/jwks\",\"x5u\":\"$HS_ISS/x5u\"}"
login_refused "token naming a jku/x5u on another server: refused" flood alice "$JKU" "$E_AUTH"
is "jku/x5u: the keys were fetched from the configured auth center" "$(jwks_now)" 1
is "jku/x5u: the other server was never contacted" "$(hs_count "$H" connections)" 0
with_header JWKHDR "$TOK" "{\"kid\":\"jwk-kid\",\"jwk\":$(tr -d '\n' <"$H/ec.pub.jwk"),\"x5c\":[\"MIIB\"]}"
login_refused "token carrying its own jwk/x5c: refused" flood alice "$JWKHDR" "$E_AUTH"

login_ok "hostile server, good mode: token accepted" hanging alice "$HTOK"
interval_passed "$T/hcache" "$HS_ISS"
hs_set "$H" "mode=good&jdelay=30000&ddelay=30000"
hs_reset "$H"
flood_par "concurrent flood against a hanging auth center" hanging
below "concurrent flood against a hanging auth center: over within http_timeout + 2 s (ms)" \
	"$PAR_MS" 4000
is "concurrent flood against a hanging auth center: one request (discovery)" \
	"$(hs_requests "$H")" 1
flood_seq "sequential flood against a hanging auth center" hanging
below "sequential flood against a hanging auth center: no time-out at all (ms)" "$SEQ_MS" 2000
is "sequential flood against a hanging auth center: still one request" \
	"$(hs_requests "$H")" 1
login_ok "hanging auth center: the cached key still works" hanging alice "$HTOK"

done_testing
