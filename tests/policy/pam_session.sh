#!/bin/bash
# The session phase: claims named by session_env become PAM_JWT_*
# variables in the PAM environment (what pam_getenvlist gives the
# application, and sshd/login pass to the session).  pamtester cannot show
# the environment, so tests/policy/pamenv runs authenticate, acct_mgmt and
# open_session in one handle and prints it.
set -u
. "$top_srcdir/tests/policy/common.sh"
pol_require
pol_require_pamenv
pol_setup

C=$(conf session)
JWT="$MODULE config=$C"
ENVLIST=sub,groups,exp,iat,nick,jti,email_verified,kubernetes.io,nothing,x-tenant,evil
service sess "auth required $JWT" "account required $JWT" \
	"session required $JWT session_env=$ENVLIST"

now=$(date +%s)
# nick: a bell, e-acute (2 bytes in UTF-8), a newline, then text that
# would look like a second variable.
mint tok --now "$now" --exp-in 300 --claims '{"groups":["admins","devs"],"jti":"j-42",
 "nick":"a\u0007b\u00e9\nX=1","email_verified":true,"kubernetes.io":{"namespace":"ops"},
 "x-tenant":"t1","evil":"alice\nLD_PRELOAD=/tmp/evil.so"}'

envrun sess alice "$tok"
ev_line "authenticate ok" "authenticate: 0 Success"
ev_line "acct_mgmt ok" "acct_mgmt: 0 Success"
ev_line "open_session ok" "open_session: 0 Success"
ev_line "PAM_JWT_SUB" "env: PAM_JWT_SUB=alice"
ev_line "PAM_JWT_GROUPS as JSON text" 'env: PAM_JWT_GROUPS=["admins","devs"]'
ev_line "PAM_JWT_EXP is the token's exp" "env: PAM_JWT_EXP=$((now + 300))"
ev_line "PAM_JWT_IAT is the token's iat" "env: PAM_JWT_IAT=$now"
ev_line "PAM_JWT_JTI" "env: PAM_JWT_JTI=j-42"
ev_line "boolean claim as true" "env: PAM_JWT_EMAIL_VERIFIED=true"
ev_line "name with '-' becomes '_'" "env: PAM_JWT_X_TENANT=t1"
ev_line "control characters and non-ASCII bytes become '?'" "env: PAM_JWT_NICK=a?b???X=1"
ev_line "a newline in a claim cannot start another variable" \
	"env: PAM_JWT_EVIL=alice?LD_PRELOAD=/tmp/evil.so"
ev_no "no LD_PRELOAD variable from a claim" '^env: LD_PRELOAD='
ev_no "no X variable from a claim" '^env: X='
ev_no "object claim skipped" '^env: PAM_JWT_KUBERNETES'
ev_no "absent claim skipped" '^env: PAM_JWT_NOTHING'
ev_no "claims not listed are not exported" '^env: PAM_JWT_(ISS|AUD|NBF)='

# ---- without session_env nothing is exported ------------------------------------
service sess-none "auth required $JWT" "account required $JWT" "session required $JWT"
envrun sess-none alice "$tok"
ev_line "no session_env: open_session ok" "open_session: 0 Success"
ev_no "no session_env: no PAM_JWT_ variable" '^env: PAM_JWT_'

# session_env from the configuration file
C2=$(conf session2 "session_env = sub groups")
service sess-conf "auth required $MODULE config=$C2" "account required $MODULE config=$C2" \
	"session required $MODULE config=$C2"
envrun sess-conf alice "$tok"
ev_line "session_env from the config file: PAM_JWT_SUB" "env: PAM_JWT_SUB=alice"
ev_line "session_env from the config file: PAM_JWT_GROUPS" 'env: PAM_JWT_GROUPS=["admins","devs"]'

# ---- not authenticated by pam_jwt: PAM_IGNORE, nothing exported -------------------
service sess-permit "auth required $SECDIR/pam_permit.so" \
	"account required $SECDIR/pam_permit.so" \
	"session [ignore=1 default=ignore] $JWT session_env=$ENVLIST" \
	"session requisite $SECDIR/pam_deny.so" \
	"session required $SECDIR/pam_permit.so"
envrun sess-permit alice
ev_line "pam_permit authenticated: pam_jwt open_session is PAM_IGNORE" "open_session: 0 Success"
ev_no "pam_permit authenticated: no PAM_JWT_ variable" '^env: PAM_JWT_'

# ---- next to another session module (pam_matrix sets HOMEDIR) ---------------------
echo "alice:unused-pw:any" >"$T/passdb"
service sess-matrix "auth required $JWT" "account required $JWT" \
	"session required $JWT session_env=sub" \
	"session required $WRAPMODS/pam_matrix.so passdb=$T/passdb"
envrun sess-matrix alice "$tok"
ev_line "with pam_matrix: PAM_JWT_SUB" "env: PAM_JWT_SUB=alice"
ev_line "with pam_matrix: pam_matrix's HOMEDIR" "env: HOMEDIR=/home/alice"

# ---- a bad session_env fails the session, not silently ------------------------------
LONGNAME=$(printf 'n%.0s' $(seq 1 70))
service sess-bad "auth required $JWT" "account required $JWT" \
	"session required $JWT session_env=sub,$LONGNAME"
envrun sess-bad alice "$tok"
ev_line "claim name too long in session_env: PAM_SESSION_ERR" \
	"open_session: 14 Cannot make/remove an entry for the specified session"

done_testing
