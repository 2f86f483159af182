#!/bin/bash
# An explicit proxy: with `https_proxy = http://HOST:PORT` the module (its
# fetch helper) and `pam-jwt keys refresh` reach the auth center through
# it with CONNECT; `no_proxy` names hosts reached directly; a configured
# proxy that is down fails closed (no silent direct connection).  Without
# the option no proxy is ever used, whatever https_proxy, HTTPS_PROXY,
# ALL_PROXY or NO_PROXY the caller's environment holds (su runs PAM with
# the user's environment: a user must not route the host's key fetches
# through a proxy of their choice).
set -u
. "${top_srcdir:?}/tests/keys/common.sh"
pk_require_built
pk_require_ac
pk_setup

ac_start "$T/ac"
ISS=$AC_ISS
ACPORT=${ISS##*:}
ac_mint TOK "$T/ac"

# the CONNECT proxy (tests/keys/connect-proxy.mjs)
. "$top_srcdir/tests/lib/proxy.sh"
PX=$T/px
px_start "$PX"
PK_PIDS+=("$PX_PID")
DEAD=$DEAD_PROXY
connects() { px_connects "$PX" "127.0.0.1:$ACPORT"; }
plain() { px_plain "$PX"; }
CACHE=$T/cache
BASE=("issuer = $ISS" "audience = $AUD" "ca_file = $T/ac/ca.pem" "cache_dir = $CACHE" "http_timeout = 3")

# ---- the module through the proxy ---------------------------------------------

pk_conf "$T/conf/px.conf" "${BASE[@]}" "https_proxy = $PROXY"
pk_service pxsvc "$T/conf/px.conf"
pk_newcache "$CACHE"
n0=$(connects)
login_ok "https_proxy: the login fetches the keys and succeeds" pxsvc alice "$TOK"
ok "https_proxy: the keys were fetched through the proxy (CONNECT to the auth center)" \
	test "$(connects)" -gt "$n0"
is "https_proxy: nothing sent to the proxy in the clear" "$(plain)" 0

# ---- no_proxy ---------------------------------------------------------------------

pk_conf "$T/conf/np.conf" "${BASE[@]}" "https_proxy = $PROXY" "no_proxy = localhost, 127.0.0.1"
pk_service npsvc "$T/conf/np.conf"
pk_newcache "$CACHE"
n0=$(connects)
login_ok "no_proxy names the auth center: the login succeeds" npsvc alice "$TOK"
is "no_proxy names the auth center: the proxy is not used" "$(connects)" "$n0"

# ---- a configured proxy that is down fails closed ---------------------------------

pk_conf "$T/conf/dead.conf" "${BASE[@]}" "https_proxy = $DEAD"
pk_service deadsvc "$T/conf/dead.conf"
pk_newcache "$CACHE"
login_refused "proxy down, no cached keys: refused, no fallback to a direct connection" \
	deadsvc alice "$TOK" "$E_UNAVAIL"

# ---- without the option the environment's proxies are ignored ----------------------

pk_conf "$T/conf/direct.conf" "${BASE[@]}"
pk_service directsvc "$T/conf/direct.conf"
for var in https_proxy HTTPS_PROXY ALL_PROXY all_proxy; do
	pk_newcache "$CACHE"
	n0=$(connects)
	export "$var=$PROXY"
	login_ok "attack: $var=proxy in the caller's environment: the login works" directsvc alice "$TOK"
	is "attack: $var=proxy in the caller's environment: the module does not use it" "$(connects)" "$n0"
	unset "$var"
done
pk_newcache "$CACHE"
export https_proxy=$DEAD HTTPS_PROXY=$DEAD ALL_PROXY=$DEAD
login_ok "attack: a dead proxy in the environment does not stop the login" directsvc alice "$TOK"
unset https_proxy HTTPS_PROXY ALL_PROXY
# NO_PROXY in the environment does not take the configured proxy away
pk_newcache "$CACHE"
n0=$(connects)
export NO_PROXY='*' no_proxy='*'
login_ok "attack: NO_PROXY=* in the environment, https_proxy configured: the login works" pxsvc alice "$TOK"
ok "attack: NO_PROXY=* in the environment does not bypass the configured proxy" \
	test "$(connects)" -gt "$n0"
unset NO_PROXY no_proxy

# ---- pam-jwt keys refresh ---------------------------------------------------------------

n0=$(connects)
keys_cmd refresh "$T/conf/px.conf"
is "keys refresh with https_proxy: exit 0" "$KC_RC" 0
ok "keys refresh with https_proxy: through the proxy" test "$(connects)" -gt "$n0"
n0=$(connects)
export https_proxy=$PROXY HTTPS_PROXY=$PROXY ALL_PROXY=$PROXY
keys_cmd refresh "$T/conf/direct.conf"
unset https_proxy HTTPS_PROXY ALL_PROXY
is "keys refresh, proxies only in the environment: exit 0" "$KC_RC" 0
is "attack: keys refresh does not take the proxy from the environment" "$(connects)" "$n0"
keys_cmd refresh "$T/conf/dead.conf"
is "keys refresh with a proxy that is down: exit 1 (unreachable)" "$KC_RC" 1

# ---- malformed values are configuration errors ----------------------------------------

for bad in "https://127.0.0.1:3128" "socks5://127.0.0.1:1080" "http://user:pw@127.0.0.1:3128" \
	"http://127.0.0.1" "127.0.0.1:3128"; do
	pk_conf "$T/conf/bad.conf" "${BASE[@]}" "https_proxy = $bad"
	"$PK_CLI" check --config "$T/conf/bad.conf" >"$T/chk.out" 2>&1
	ok "https_proxy = $bad is a configuration error" test $? -ne 0 -a -s "$T/chk.out"
	pk_service badsvc "$T/conf/bad.conf"
	pt badsvc alice "$TOK"
	pt_is_refused_any "https_proxy = $bad: the login is refused"
done
pk_conf "$T/conf/bad.conf" "${BASE[@]}" "https_proxy = $PROXY" "no_proxy = a;b"
"$PK_CLI" check --config "$T/conf/bad.conf" >"$T/chk.out" 2>&1
ok "no_proxy with a ';' is a configuration error" test $? -ne 0

done_testing
