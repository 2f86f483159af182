#!/bin/bash
# pam_jwt in a PAM stack (pamtester under pam_wrapper): an answer that is
# not a JWT makes pam_jwt return PAM_IGNORE so that the next module
# decides; a JWT, good or bad, is decided by pam_jwt.  pam_matrix (from
# pam_wrapper) is the password module; it always prompts "Password: ".
set -u
. "$top_srcdir/tests/integration/common.sh"
pj_require_built
pj_require_node
pj_require_pamtester
pj_setup
pj_keys

K=$T/keys
PW=matrix-pw-of-alice
echo "alice:$PW:any" >"$T/passdb"
MATRIX="$PJ_WRAPMODS/pam_matrix.so passdb=$T/passdb"
C=$(conf stack "jwks_file = $K/jwks.json")

mint good --key "$K/ed.priv.pem" --alg EdDSA --kid ed-kid
mint expired --key "$K/ed.priv.pem" --alg EdDSA --kid ed-kid --exp-in -3600
mint forbob --key "$K/ed.priv.pem" --alg EdDSA --kid ed-kid --sub bob

# pt_answers SERVICE USER ANSWER...: one answer per prompt.
pt_answers() {
	local svc=$1 user=$2
	shift 2
	pt "$svc" "$user" < <(printf '%s\n' "$@")
}
prompted() { [[ $PT_OUT == *"$1"* ]]; }
not_prompted() { [[ $PT_OUT != *"$1"* ]]; }

# The module alone decides these tokens, and the CLI agrees.
jwt_service alone "$C"
accept_typed "alone: the good token" alone alice "$good"
refuse_typed "alone: the expired token" alone alice "$expired" "$E_AUTH"
refuse_typed "alone: bob's token as alice" alone alice "$forbob" "$E_AUTH"

# ---- pam_jwt sufficient, then pam_matrix required -----------------------
service jwt-matrix "$(jwt_line sufficient "$C")" "auth required $MATRIX"

pt_answers jwt-matrix alice "$PW" "$PW"
pt_is_accepted "jwt sufficient + matrix: password at both prompts, matrix accepts"
ok "jwt sufficient + matrix: asked Token then Password" eval \
	'[[ $PT_OUT == *"Token: "*"Password: "* ]]'
pt_answers jwt-matrix alice wrong-pw wrong-pw
pt_is_refused "jwt sufficient + matrix: wrong password, matrix refuses" "$E_AUTH"
pt_answers jwt-matrix alice "$good"
pt_is_accepted "jwt sufficient + matrix: good token"
ok "jwt sufficient + matrix: good token, matrix never asks" not_prompted "Password: "
pt_answers jwt-matrix alice "$expired" wrong-pw
pt_is_refused "jwt sufficient + matrix: expired token, then wrong password" "$E_AUTH"
ok "jwt sufficient + matrix: expired token falls through to matrix" prompted "Password: "
pt_answers jwt-matrix alice "$forbob" wrong-pw
pt_is_refused "jwt sufficient + matrix: bob's token as alice, then wrong password" "$E_AUTH"

# ---- pam_matrix sufficient, then pam_jwt ------------------------------
service matrix-jwt "auth sufficient $MATRIX" "$(jwt_line required "$C")"

pt_answers matrix-jwt alice "$PW"
pt_is_accepted "matrix + jwt: password, matrix accepts"
ok "matrix + jwt: password, pam_jwt never asks" not_prompted "Token: "
pt_answers matrix-jwt alice wrong-pw "$good"
pt_is_accepted "matrix + jwt: matrix refuses, good token at pam_jwt's prompt"
pt_answers matrix-jwt alice wrong-pw "$expired"
pt_is_refused "matrix + jwt: matrix refuses, expired token refused" "$E_AUTH"
pt_answers matrix-jwt alice wrong-pw "$forbob"
pt_is_refused "matrix + jwt: matrix refuses, bob's token as alice refused" "$E_AUTH"
pt_answers matrix-jwt alice wrong-pw wrong-pw
pt_is_refused "matrix + jwt: wrong password twice, pam_jwt ignores, denied" "$E_PERM"

# ---- a password module first, pam_jwt try_first_pass --------------------
# pam_matrix wipes PAM_AUTHTOK in place after use, so the token typed at
# its prompt cannot be reused; pam_unix keeps it (alice has no shadow
# entry, so pam_unix always fails here and only sets PAM_AUTHTOK).
service unix-jwt "auth sufficient $PJ_SECDIR/pam_unix.so" "$(jwt_line required "$C" try_first_pass)"
pt_answers unix-jwt alice "$good"
pt_is_accepted "unix + jwt try_first_pass: token at pam_unix's prompt, pam_jwt accepts it"
ok "unix + jwt try_first_pass: the token is asked for once" not_prompted "Token: "
pt_answers unix-jwt alice "$expired"
pt_is_refused "unix + jwt try_first_pass: expired token refused" "$E_AUTH"
pt_answers unix-jwt alice wrong-pw
pt_is_refused "unix + jwt try_first_pass: wrong password, pam_jwt ignores, denied" "$E_PERM"

# ---- [success=done default=ignore] ---------------------------------------
service jwt-done "$(jwt_line '[success=done default=ignore]' "$C")" "auth required $MATRIX"

pt_answers jwt-done alice "$good"
pt_is_accepted "[success=done default=ignore]: good token"
ok "[success=done default=ignore]: good token, matrix never asks" not_prompted "Password: "
pt_answers jwt-done alice "$PW" "$PW"
pt_is_accepted "[success=done default=ignore]: password goes on to matrix"
pt_answers jwt-done alice wrong-pw wrong-pw
pt_is_refused "[success=done default=ignore]: wrong password, matrix refuses" "$E_AUTH"
pt_answers jwt-done alice "$expired" wrong-pw
pt_is_refused "[success=done default=ignore]: expired token, wrong password" "$E_AUTH"

# ---- pam_jwt's exact code: ignore=ignore, anything else dies -------------
# pam_permit after pam_jwt succeeds only when pam_jwt returned PAM_IGNORE.
service jwt-probe "$(jwt_line '[success=done ignore=ignore default=die]' "$C")" \
	"auth required $PJ_SECDIR/pam_permit.so"

pt_answers jwt-probe alice "$PW"
pt_is_accepted "probe: a password is PAM_IGNORE"
pt_answers jwt-probe alice "correct horse battery staple"
pt_is_accepted "probe: a passphrase with spaces is PAM_IGNORE"
pt_answers jwt-probe alice "eyJ-not-a-token"
pt_is_accepted "probe: a password starting eyJ without dots is PAM_IGNORE"
pt_answers jwt-probe alice "$good"
pt_is_accepted "probe: a good token is PAM_SUCCESS"
pt_answers jwt-probe alice "$expired"
pt_is_refused "probe: an expired token is not PAM_IGNORE" "$E_AUTH"
pt_answers jwt-probe alice "$forbob"
pt_is_refused "probe: another user's token is not PAM_IGNORE" "$E_AUTH"
s=$(seg "$good" 2)
t=${good%.*}.${s:0:10}${s:11}
pj_secret "$t"
pt_answers jwt-probe alice "$t"
pt_is_refused "probe: a token with a damaged signature is not PAM_IGNORE" "$E_AUTH"
refuse_typed "alone: the token with a damaged signature" alone alice "$t" "$E_AUTH"

# ---- the password is handed on as PAM_AUTHTOK ---------------------------
# A second pam_jwt with use_first_pass fails with PAM_AUTH_ERR when no
# earlier module set PAM_AUTHTOK; it ignores a password it finds there.
service handed-on "$(jwt_line '[ignore=ignore default=die]' "$C")" \
	"$(jwt_line required "$C" use_first_pass)"
pt_answers handed-on alice "$PW"
pt_is_refused "a password pam_jwt ignores is set as PAM_AUTHTOK for the next module" "$E_PERM"

# ---- sufficient, then pam_deny --------------------------------------------
service jwt-deny "$(jwt_line sufficient "$C")" "auth required $PJ_SECDIR/pam_deny.so"
pt_answers jwt-deny alice "$good"
pt_is_accepted "jwt sufficient + deny: good token"
pt_answers jwt-deny alice "$PW"
pt_is_refused "jwt sufficient + deny: password, denied" "$E_AUTH"

done_testing
