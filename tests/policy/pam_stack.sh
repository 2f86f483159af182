#!/bin/bash
# pam_jwt with a policy (require=groups=admins) stacked with a password
# module, pam_matrix from pam_wrapper (it always prompts "Password: " and
# checks a passdb file), in both orders, with `sufficient`,
# `[success=done default=ignore]` and a token-only `default=die` line, and
# with the token handed over as PAM_AUTHTOK (pam_set_items) for
# use_first_pass / try_first_pass.  A token refused by the policy must
# never count as a success, whatever the stack does next.
set -u
. "$top_srcdir/tests/policy/common.sh"
pol_require
pol_setup

PW=matrix-pw-of-alice
printf 'alice:%s:any\nroot:root-pw:any\n' "$PW" >"$T/passdb"
chmod 600 "$T/passdb"
MATRIX="$WRAPMODS/pam_matrix.so passdb=$T/passdb"
SETITEMS=$WRAPMODS/pam_set_items.so
C=$(conf stack "require = groups=admins")
JWT="$MODULE config=$C"

mint admin --claims '{"groups":["admins"]}'
mint dev --claims '{"groups":["devs"]}'
mint forbob --sub bob --claims '{"groups":["admins"]}'

# ---- pam_jwt sufficient, then pam_matrix --------------------------------------
service jwt-suff "auth sufficient $JWT" "auth required $MATRIX"
pt_answers jwt-suff alice authenticate "$admin"
pt_ok "jwt sufficient: admins token accepted"
ok "jwt sufficient: admins token, no password prompt" not_prompted "Password:"
pt_answers jwt-suff alice authenticate "$dev" "$PW"
pt_ok "jwt sufficient: token refused by policy, then the right password"
ok "jwt sufficient: policy refusal falls through to the password prompt" prompted "Password:"
pt_answers jwt-suff alice authenticate "$dev" wrong-pw
pt_refused "jwt sufficient: token refused by policy, wrong password: denied" "$E_AUTH"
pt_answers jwt-suff alice authenticate "$PW" "$PW"
pt_ok "jwt sufficient: a password at the token prompt is ignored, matrix decides"
pt_answers jwt-suff alice authenticate "$forbob" wrong-pw
pt_refused "jwt sufficient: another user's token, wrong password: denied" "$E_AUTH"

# pam_matrix can also find its passdb through PAM_MATRIX_PASSWD.
service jwt-suff-env "auth sufficient $JWT" "auth required $WRAPMODS/pam_matrix.so"
PT_ENV="PAM_MATRIX_PASSWD=$T/passdb" pt_answers jwt-suff-env alice authenticate "$dev" "$PW"
pt_ok "jwt sufficient + matrix (PAM_MATRIX_PASSWD): policy refusal, right password"
PT_ENV="PAM_MATRIX_PASSWD=$T/passdb" pt_answers jwt-suff-env alice authenticate "$dev" wrong-pw
pt_refused "jwt sufficient + matrix (PAM_MATRIX_PASSWD): policy refusal, wrong password" "$E_AUTH"

# ---- [success=done default=ignore] -------------------------------------------
service jwt-done "auth [success=done default=ignore] $JWT" "auth required $MATRIX"
pt_answers jwt-done alice authenticate "$admin"
pt_ok "success=done: admins token accepted"
ok "success=done: no password prompt" not_prompted "Password:"
pt_answers jwt-done alice authenticate "$dev" "$PW"
pt_ok "success=done: policy refusal ignored, right password accepted"
pt_answers jwt-done alice authenticate "$dev" wrong-pw
pt_refused "success=done: policy refusal ignored, wrong password denied" "$E_AUTH"

# ---- token-only line: a JWT is decided by pam_jwt, a password goes on -------------
service jwt-die "auth [success=done ignore=ignore default=die] $JWT" "auth required $MATRIX"
pt_answers jwt-die alice authenticate "$admin"
pt_ok "default=die: admins token accepted"
pt_answers jwt-die alice authenticate "$dev" "$PW"
pt_refused "default=die: token refused by policy ends the stack" "$E_AUTH"
ok "default=die: no password prompt after a refused token" not_prompted "Password:"
pt_answers jwt-die alice authenticate "$PW" "$PW"
pt_ok "default=die: a password (not a token) is ignored and matrix decides"

# ---- pam_matrix first -------------------------------------------------------------
service matrix-suff "auth sufficient $MATRIX" "auth required $JWT"
pt_answers matrix-suff alice authenticate "$PW"
pt_ok "matrix sufficient: right password, pam_jwt never asks"
ok "matrix sufficient: no token prompt" not_prompted "Token:"
pt_answers matrix-suff alice authenticate wrong-pw "$admin"
pt_ok "matrix sufficient: wrong password, then an admins token"
pt_answers matrix-suff alice authenticate wrong-pw "$dev"
pt_refused "matrix sufficient: wrong password, then a token refused by policy" "$E_AUTH"

service matrix-done "auth [success=done default=ignore] $MATRIX" "auth required $JWT"
pt_answers matrix-done alice authenticate wrong-pw "$admin"
pt_ok "matrix success=done: wrong password, admins token accepted"
pt_answers matrix-done alice authenticate wrong-pw "$dev"
pt_refused "matrix success=done: wrong password, policy refuses the token" "$E_AUTH"

# Both required: the token must satisfy the policy AND the password match.
service both "auth required $MATRIX" "auth required $JWT"
pt_answers both alice authenticate "$PW" "$admin"
pt_ok "matrix required + jwt required: password and admins token"
pt_answers both alice authenticate "$PW" "$dev"
pt_refused "matrix required + jwt required: password, token refused by policy" "$E_AUTH"
pt_answers both alice authenticate wrong-pw "$admin"
pt_refused "matrix required + jwt required: wrong password, admins token" "$E_AUTH"

# ---- the token as PAM_AUTHTOK (pam_set_items): use_first_pass / try_first_pass ----
# (pam_matrix overwrites PAM_AUTHTOK after use, so pam_set_items stands in
# for the module that read the token.)
service ufp "auth [default=ignore] $SETITEMS" "auth required $JWT use_first_pass"
PT_ENV="PAM_AUTHTOK=$admin" pt_answers ufp alice authenticate
pt_ok "use_first_pass: admins token from PAM_AUTHTOK accepted"
ok "use_first_pass: pam_jwt did not prompt" not_prompted "Token:"
PT_ENV="PAM_AUTHTOK=$dev" pt_answers ufp alice authenticate
pt_refused "use_first_pass: PAM_AUTHTOK token refused by policy" "$E_AUTH"
pt_answers ufp alice authenticate "$admin"
pt_refused "use_first_pass: no PAM_AUTHTOK, no prompt: refused" "$E_AUTH"
ok "use_first_pass: never prompts" not_prompted "Token:"

service tfp "auth [default=ignore] $SETITEMS" "auth required $JWT try_first_pass"
PT_ENV="PAM_AUTHTOK=$admin" pt_answers tfp alice authenticate
pt_ok "try_first_pass: admins token from PAM_AUTHTOK accepted"
ok "try_first_pass: with PAM_AUTHTOK no prompt" not_prompted "Token:"
PT_ENV="PAM_AUTHTOK=$dev" pt_answers tfp alice authenticate "$admin"
pt_refused "try_first_pass: PAM_AUTHTOK token refused by policy, no second chance" "$E_AUTH"
pt_answers tfp alice authenticate "$admin"
pt_ok "try_first_pass: no PAM_AUTHTOK, prompts and accepts"
ok "try_first_pass: prompted for the token" prompted "Token:"

# try_first_pass and a password in PAM_AUTHTOK: pam_jwt ignores it, the
# password module after it decides.
service tfp-matrix "auth [default=ignore] $SETITEMS" "auth sufficient $JWT try_first_pass" \
	"auth required $MATRIX"
PT_ENV="PAM_AUTHTOK=$PW" pt_answers tfp-matrix alice authenticate "$PW"
pt_ok "try_first_pass + matrix: password in PAM_AUTHTOK ignored by pam_jwt, matrix accepts"
ok "try_first_pass + matrix: pam_jwt did not prompt" not_prompted "Token:"
PT_ENV="PAM_AUTHTOK=$admin" pt_answers tfp-matrix alice authenticate
pt_ok "try_first_pass + matrix: admins token in PAM_AUTHTOK, matrix never asks"
ok "try_first_pass + matrix: no password prompt" not_prompted "Password:"

done_testing
