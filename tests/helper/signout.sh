#!/bin/bash
# Sign-out that reaches hosts: what a host sees after `pam-jwt logout`.
# logout revokes the refresh token at the auth center (RFC 7009), which
# ends the grant.  A host that only checks signatures keeps accepting an
# access token it was handed until the token's exp; a host with
# `introspect = yes` refuses it at the next login.
set -u
. "${top_srcdir:?}/tests/helper/common.sh"
th_require
th_setup
ACDIR=$T/ac
th_start_ac "$ACDIR"
th_client_conf "audiences = ssh://host1"
SECRET=$T/introspect.secret
printf 'pam-jwt-host-secret\n' >"$SECRET"
chmod 600 "$SECRET"
th_verify_conf "$T/conf/plain.conf" ssh://host1
th_verify_conf "$T/conf/intro.conf" ssh://host1 "introspect = yes" \
	"introspect_client_id = pam-jwt-host" "introspect_secret_file = $SECRET"

th_login alice
is "login: exit 0" "$LOGIN_RC" 0
hx token --audience ssh://host1
rc_is "token: exit 0" $X_OK
TOK=$OUT
vf "$T/conf/plain.conf" "$TOK" --user alice
vf_accepted "before logout: a host without introspection accepts the token"
vf "$T/conf/intro.conf" "$TOK" --user alice
vf_accepted "before logout: a host with introspection accepts the token"

hx logout
rc_is "logout: exit 0" $X_OK

vf "$T/conf/intro.conf" "$TOK" --user alice
vf_refused_like "after logout: a host with introspect = yes refuses the token" 'no longer active'
vf "$T/conf/plain.conf" "$TOK" --user alice
vf_accepted "after logout: a host without introspection still accepts it until exp (stateless)"

done_testing
