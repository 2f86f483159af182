#!/bin/bash
# The CLI's explicit proxy: with `https_proxy = http://HOST:PORT` in
# client.conf, `pam-jwt login` and `pam-jwt token` reach the auth center
# through it with CONNECT; without it, no proxy is used whatever
# https_proxy, HTTPS_PROXY, ALL_PROXY the environment holds, and NO_PROXY
# in the environment does not take a configured proxy away.
set -u
. "${top_srcdir:?}/tests/helper/common.sh"
. "$top_srcdir/tests/lib/proxy.sh"
th_require
th_setup
ACDIR=$T/ac
th_start_ac "$ACDIR"
HP=${ISS#https://}
px_start "$T/px"
TH_PIDS+=("$PX_PID")
connects() { px_connects "$T/px" "$HP"; }

th_client_conf "audiences = ssh://host1" "https_proxy = $PROXY"
n0=$(connects)
th_login alice
is "login through the proxy: exit 0" "$LOGIN_RC" 0
ok "login: the device flow went through the proxy" test "$(connects)" -gt "$n0"
is "login: nothing sent to the proxy in the clear" "$(px_plain "$T/px")" 0

n0=$(connects)
hx token --audience ssh://host1 --min-valid 3600
rc_is "token (a refresh) through the proxy: exit 0" $X_OK
ok "token: the refresh went through the proxy" test "$(connects)" -gt "$n0"

n0=$(connects)
NO_PROXY='*' no_proxy='*' hx token --audience ssh://host1 --min-valid 3600
rc_is "token with NO_PROXY=* in the environment: exit 0" $X_OK
ok "attack: NO_PROXY in the environment does not bypass the configured proxy" \
	test "$(connects)" -gt "$n0"

th_client_conf "audiences = ssh://host1" "https_proxy = $DEAD_PROXY"
hx token --audience ssh://host1 --min-valid 3600
rc_is "token with a proxy that is down: exit 5 (network), no direct connection" 5

th_client_conf "audiences = ssh://host1"
for var in https_proxy HTTPS_PROXY ALL_PROXY; do
	n0=$(connects)
	env "$var=$PROXY" "$CLI" token --audience ssh://host1 --min-valid 3600 >"$T/t.out" 2>"$T/t.err"
	is "no https_proxy configured, $var in the environment: exit 0" "$?" 0
	is "attack: $var in the environment is not used" "$(connects)" "$n0"
done

th_client_conf "https_proxy = socks5://127.0.0.1:1080"
hx token --audience ssh://host1
rc_is "client.conf https_proxy = socks5://...: a usage error" 2
like "the message says what form is needed" "$ERR" 'https_proxy must be http://HOST:PORT'

done_testing
