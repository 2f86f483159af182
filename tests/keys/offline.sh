#!/bin/bash
# The auth center is down: logins keep working from the cache (fresh, or
# stale up to stale_max); without a cache, or past stale_max, they are
# refused with PAM_AUTHINFO_UNAVAIL, quickly (an unreachable server is
# bounded by http_timeout).  A failed fetch is rate-limited like any
# other; `pam-jwt keys refresh` gets the keys at once when the auth
# center is back.
set -u
. "${top_srcdir:?}/tests/keys/common.sh"
pk_require_built
pk_require_ac
pk_setup

TIMEOUT=2

ac_start "$T/ac"
ISS=$AC_ISS
CACHE=$T/cache
pk_newcache "$CACHE"
base=("issuer = $ISS" "audience = $AUD" "ca_file = $T/ac/ca.pem" "cache_dir = $CACHE"
	"http_timeout = $TIMEOUT")
CONF=$T/conf/offline.conf
pk_conf "$CONF" "${base[@]}"
pk_service offline "$CONF"
pk_conf "$T/conf/stale2h.conf" "${base[@]}" "stale_max = 2h"
pk_service stale2h "$T/conf/stale2h.conf"
pk_conf "$T/conf/stale30m.conf" "${base[@]}" "stale_max = 30m"
pk_service stale30m "$T/conf/stale30m.conf"

ac_mint TOK_ES "$T/ac" --alg ES256
ac_mint TOK_RS "$T/ac" --alg RS256
ac_mint TOK_ED "$T/ac" --alg EdDSA

login_ok "auth center up: token accepted (cache filled)" offline alice "$TOK_ES"
KIDS=$(cache_kids "$CACHE" "$ISS")
"$AC" stop "$T/ac" || bail "ac.sh stop failed"

# ---- fresh cache ------------------------------------------------------------------

login_ok "auth center stopped, fresh cache: ES256 token accepted" offline alice "$TOK_ES"
login_ok "auth center stopped, fresh cache: RS256 token accepted" offline alice "$TOK_RS"
login_ok "auth center stopped, fresh cache: EdDSA token accepted" offline alice "$TOK_ED"

# ---- stale cache: the refetch fails, the last good keys are used -------------------

NOW=$(date +%s)
cache_edit "$CACHE" "$ISS" 'c.expires = now - 600; c.attempt = now - 600;'
login_ok "expired cache within stale_max (1 day): accepted from the stale cache" offline alice "$TOK_ES"
ATTEMPT=$(node -e 'process.stdout.write(String(JSON.parse(require("fs").readFileSync(process.argv[1])).attempt))' \
	"$(cache_file "$CACHE" "$ISS")")
ok "the failed refetch was recorded as the last attempt" test "$ATTEMPT" -ge "$NOW"
is "the failed refetch kept the cached keys" "$(cache_kids "$CACHE" "$ISS")" "$KIDS"

cache_edit "$CACHE" "$ISS" 'c.expires = now - 3600; c.attempt = now - 3600;'
login_ok "expired 1 h ago, stale_max 2h: accepted" stale2h alice "$TOK_ES"
cache_edit "$CACHE" "$ISS" 'c.expires = now - 3600; c.attempt = now - 3600;'
login_refused "expired 1 h ago, stale_max 30m: refused as unavailable" stale30m alice "$TOK_ES" "$E_UNAVAIL"

cache_edit "$CACHE" "$ISS" 'c.expires = now - 86400 - 600; c.attempt = now - 600;'
login_refused "expired longer than stale_max (1 day) ago: refused as unavailable" offline alice "$TOK_ES" "$E_UNAVAIL"
vf "$CONF" "$TOK_ES"
vf_refused_like "past stale_max: the reason says no usable keys" '^reason: unavailable: no usable keys'
is "past stale_max: the cached keys are still on disk (not destroyed)" "$(cache_kids "$CACHE" "$ISS")" "$KIDS"

# ---- no cache ---------------------------------------------------------------------

rm -f "$CACHE"/*
login_refused "auth center stopped, no cache: refused as unavailable" offline alice "$TOK_ES" "$E_UNAVAIL"
below "auth center stopped, no cache: refused within http_timeout (ms)" "$PT_MS" $((TIMEOUT * 1000))
rm -f "$CACHE"/*
vf "$CONF" "$TOK_ES"
vf_refused_like "no cache: the reason says the auth center is unreachable" \
	'^reason: unavailable: no usable keys.*unreachable.*(onnect|refused)'

# ---- the auth center is back -------------------------------------------------------

ac_restart "$T/ac"
login_refused "auth center back, within refresh_min_interval of the failure: still refused" \
	offline alice "$TOK_ES" "$E_UNAVAIL"
is "auth center back, within refresh_min_interval: no request (rate limit)" \
	"$(ac_count "$T/ac" jwks)" 0
keys_cmd refresh "$CONF"
is "pam-jwt keys refresh gets the keys at once (exit 0)" "$KC_RC" 0
login_ok "after keys refresh: accepted" offline alice "$TOK_ES"

# ---- an auth center that accepts connections and never answers ------------------------

node -e '
	const s = require("net").createServer(() => {});
	s.listen(0, "127.0.0.1", () => {
		require("fs").writeFileSync(process.argv[1], String(s.address().port));
	});
	process.on("SIGTERM", () => process.exit(0));' "$T/blackhole.port" &
PK_PIDS+=($!)
for ((i = 0; i < 100; i++)); do [ -s "$T/blackhole.port" ] && break; sleep 0.05; done
[ -s "$T/blackhole.port" ] || bail "blackhole listener did not start"
BH="https://127.0.0.1:$(cat "$T/blackhole.port")/jwks"
# Same issuer, keys from the black hole.  A cache belongs to its source
# (issuer, jwks_uri, CA): give the black hole's source a stale copy of the
# good key set, as if it had answered before.
pk_conf "$T/conf/bh.conf" "${base[@]}" "jwks_uri = $BH"
pk_service blackhole "$T/conf/bh.conf"

node -e '
	const fs = require("fs");
	const [from, to, iss, uri, ca] = process.argv.slice(1);
	const c = JSON.parse(fs.readFileSync(from, "utf8"));
	const now = Math.floor(Date.now() / 1000);
	const binding = `pam_jwt key cache v2\nissuer=${iss}\njwks_uri=${uri}\nca_file=${ca}\nca_dir=\n`;
	Object.assign(c, { binding, jwks_uri: uri, expires: now - 600, attempt: now - 600 });
	fs.writeFileSync(to, JSON.stringify(c) + "\n", { mode: 0o644 });' \
	"$(cache_file "$CACHE" "$ISS")" "$CACHE/$(cache_binding "$ISS" "$BH" "$T/ac/ca.pem").json" \
	"$ISS" "$BH" "$T/ac/ca.pem" || bail "cannot copy the cache for the black hole"
login_ok "black hole, stale cache: accepted" blackhole alice "$TOK_ES"
below "black hole, stale cache: within http_timeout + 2 s (ms)" "$PT_MS" $((TIMEOUT * 1000 + 2000))
ok "black hole, stale cache: the login did wait for the time-out" test "$PT_MS" -ge $((TIMEOUT * 1000 - 100))

rm -f "$CACHE"/*
login_refused "black hole, no cache: refused as unavailable" blackhole alice "$TOK_ES" "$E_UNAVAIL"
below "black hole, no cache: within http_timeout + 2 s (ms)" "$PT_MS" $((TIMEOUT * 1000 + 2000))
rm -f "$CACHE"/*
vf "$T/conf/bh.conf" "$TOK_ES"
vf_refused_like "black hole: the reason names the time-out" '^reason: unavailable: .*[Tt]ime'

done_testing
