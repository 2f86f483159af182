#!/bin/bash
# The account phase (pam_sm_acct_mgmt): for a user pam_jwt authenticated
# in this PAM handle it re-checks the token's expiry and the account
# line's require rules; for anyone else it returns PAM_IGNORE, so it never
# decides about password logins.  pamtester runs authenticate and
# acct_mgmt in one handle; pamenv adds a pause between them (expiry) and
# a change of PAM_USER.
set -u
. "$top_srcdir/tests/policy/common.sh"
pol_require
pol_require_pamenv
pol_setup

C=$(conf account)
JWT="$MODULE config=$C"
PERMIT=$SECDIR/pam_permit.so
DENY=$SECDIR/pam_deny.so

mint admin --claims '{"groups":["devs","admins"]}'
mint dev --claims '{"groups":["devs"]}'
mint forbob --sub bob

# ---- pam_jwt authenticated: the account line decides --------------------------
service plain "auth required $JWT" "account required $JWT"
pt_answers plain alice "authenticate acct_mgmt" "$admin"
pt_ok "auth + account: acct_mgmt succeeds" "$OK_AUTH" "$OK_ACCT"

service acct-admins "auth required $JWT" "account required $JWT require=groups=admins"
pt_answers acct-admins alice "authenticate acct_mgmt" "$admin"
pt_ok "account line require=groups=admins holds" "$OK_AUTH" "$OK_ACCT"
pt_answers acct-admins alice "authenticate acct_mgmt" "$dev"
pt_refused "account line require=groups=admins fails: PAM_PERM_DENIED" "$E_PERM" "$OK_ACCT"
ok "  ... after a successful authenticate" prompted "$OK_AUTH"

service acct-two "auth required $JWT" \
	"account required $JWT require=groups=devs require=scope=admin"
mint devscope --claims '{"groups":["devs"],"scope":"openid admin"}'
pt_answers acct-two alice "authenticate acct_mgmt" "$devscope"
pt_ok "account line with two rules, both hold" "$OK_AUTH" "$OK_ACCT"
pt_answers acct-two alice "authenticate acct_mgmt" "$dev"
pt_refused "account line with two rules, the second fails" "$E_PERM" "$OK_ACCT"

# A broken account line denies the user pam_jwt authenticated (fail closed).
service acct-broken "auth required $JWT" "account required $JWT require=groups"
pt_answers acct-broken alice "authenticate acct_mgmt" "$admin"
pt_refused "malformed require on the account line: denied" "$E_PERM" "$OK_ACCT"

# ---- pam_jwt did not authenticate: PAM_IGNORE ---------------------------------
# [ignore=1 default=ignore]: only PAM_IGNORE jumps over pam_deny, so the
# stack succeeds exactly when pam_jwt's acct_mgmt ignored the user; any
# other answer reaches pam_deny (whose code is PAM_AUTH_ERR).
IGNORE_PROBE=("account [ignore=1 default=ignore] $JWT require=groups=admins"
	"account requisite $DENY" "account required $PERMIT")
service permit-auth "auth required $PERMIT" "${IGNORE_PROBE[@]}"
pt_answers permit-auth alice "authenticate acct_mgmt"
pt_ok "pam_permit authenticated: pam_jwt acct_mgmt returns PAM_IGNORE" "$OK_AUTH" "$OK_ACCT"
ok "  ... and pam_jwt never asked for a token" not_prompted "Token:"

service jwt-auth-probe "auth required $JWT" "${IGNORE_PROBE[@]}"
pt_answers jwt-auth-probe alice "authenticate acct_mgmt" "$admin"
pt_refused "probe stack: after pam_jwt authenticated, acct_mgmt is not PAM_IGNORE" "$E_AUTH" "$OK_ACCT"

service acct-only "${IGNORE_PROBE[@]}"
pt_answers acct-only alice acct_mgmt
pt_ok "acct_mgmt without any authenticate: PAM_IGNORE" "$OK_ACCT"

# A refused token leaves nothing behind for the account phase.
service jwt-or-permit "auth sufficient $JWT" "auth required $PERMIT" "${IGNORE_PROBE[@]}"
pt_answers jwt-or-permit alice "authenticate acct_mgmt" "$forbob"
pt_ok "refused token, pam_permit authenticated: acct_mgmt PAM_IGNORE" "$OK_AUTH" "$OK_ACCT"
pt_answers jwt-or-permit alice "authenticate acct_mgmt" "$admin"
pt_refused "accepted token in the same stack: acct_mgmt decides (not ignore)" "$E_AUTH" "$OK_ACCT"

# The usual shape: "account required pam_jwt.so" next to the password
# stack's account modules.
service password-user "auth required $PERMIT" "account required $JWT require=groups=admins" \
	"account required $PERMIT"
pt_answers password-user alice "authenticate acct_mgmt"
pt_ok "account required pam_jwt + pam_permit, password user: allowed" "$OK_AUTH" "$OK_ACCT"

# ---- expiry between authenticate and acct_mgmt (pamenv) -------------------------
service expiry "auth required $JWT leeway=0" "account required $JWT leeway=0"
# (-t: acct_mgmt waits until the clock is past exp; 5 s leave room for a
# slow start under a parallel make check)
now=$(date +%s)
mint short --now "$now" --exp-in 5
envrun expiry alice -t "$((now + 5))" -a "$short"
ev_line "token valid at authenticate" "authenticate: 0 Success"
ev_line "token expired by acct_mgmt: PAM_ACCT_EXPIRED" "acct_mgmt: 13 $E_ACCT_EXPIRED"
mint long --exp-in 600
envrun expiry alice -s 1 -a "$long"
ev_line "token still valid at acct_mgmt" "acct_mgmt: 0 Success"

# With [sections], the account phase must judge the token with its auth
# center's section too (here: leeway = 0 in the section).
printf 'audience = %s\n[idp]\nissuer = %s\njwks_file = %s\nleeway = 0\n' "$AUD" "$ISS" "$JWKS" \
	>"$T/conf/sections.conf"
chmod 600 "$T/conf/sections.conf"
service expiry-sections "auth required $MODULE config=$T/conf/sections.conf" \
	"account required $MODULE config=$T/conf/sections.conf"
now=$(date +%s)
mint short2 --now "$now" --exp-in 5
envrun expiry-sections alice -t "$((now + 5))" -a "$short2"
ev_line "sections: token valid at authenticate" "authenticate: 0 Success"
ev_line "sections: expired by acct_mgmt under the section's leeway 0" "acct_mgmt: 13 $E_ACCT_EXPIRED"

# ---- the PAM user changed after authentication (pamenv -u) -----------------------
envrun plain alice -u bob -a "$admin"
ev_line "PAM_USER switched to bob after alice's token: authenticate ok" "authenticate: 0 Success"
ev_line "PAM_USER switched to bob after alice's token: acct_mgmt denied" \
	"acct_mgmt: 6 $E_PERM"
envrun plain alice -u alice -a "$admin"
ev_line "PAM_USER set again to the same user: acct_mgmt ok" "acct_mgmt: 0 Success"

done_testing
