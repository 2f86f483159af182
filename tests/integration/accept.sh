#!/bin/bash
# Good tokens log in through PAM (pamtester under pam_wrapper): every
# algorithm with a PEM key_file and with a JWKS (kids), HMAC with a
# secret file, typed at the prompt and preset as PAM_AUTHTOK
# (use_first_pass / try_first_pass).  Each verdict is also asked of
# `pam-jwt verify`, which must agree.
set -u
. "$top_srcdir/tests/integration/common.sh"
pj_require_built
pj_require_node
pj_require_pamtester
pj_setup
pj_keys

K=$T/keys
ALGS="RS256 RS384 RS512 PS256 PS384 PS512 ES256 ES384 ES512 EdDSA"

# One service per PEM key: the RSA key serves RS* and PS*.
for k in rsa p256 p384 p521 ed; do
	jwt_service "pem-$k" "$(conf "pem-$k" "key_file = $K/$k.pub.pem")"
done
jwt_service jwks "$(conf jwks "jwks_file = $K/jwks.json")"
jwt_service hmac "$(conf hmac "hmac_secret_file = $K/hmac.secret")"

for alg in $ALGS; do
	k=$(key_for "$alg")
	mint tok --key "$K/$k.priv.pem" --alg "$alg"
	accept_typed "$alg, PEM key_file, typed at the prompt" "pem-$k" alice "$tok"
	mint tok --key "$K/$k.priv.jwk" --alg "$alg" --kid "$k-kid"
	accept_typed "$alg, jwks_file, kid $k-kid" jwks alice "$tok"
done

for alg in HS256 HS384 HS512; do
	mint tok --alg "$alg" --secret-file "$K/hmac.secret"
	accept_typed "$alg, hmac_secret_file" hmac alice "$tok"
done

# The login user is the token's sub: bob logs in with bob's token.
mint tok --key "$K/ed.priv.pem" --alg EdDSA --sub bob
accept_typed "EdDSA token for bob, login bob" pem-ed bob "$tok"

# aud as an array that contains this host.
mint tok --key "$K/p256.priv.pem" --alg ES256 --aud other.test --aud "$PJ_AUD"
accept_typed "aud array containing the host" pem-p256 alice "$tok"

# Within the leeway (60 s by default): expired 20 s ago, nbf in 20 s.
mint tok --key "$K/rsa.priv.pem" --alg RS256 --exp-in -20
accept_typed "expired 20 s ago, within the 60 s leeway" pem-rsa alice "$tok"
mint tok --key "$K/rsa.priv.pem" --alg RS256 --nbf-in 20
accept_typed "nbf in 20 s, within the 60 s leeway" pem-rsa alice "$tok"

# A 4 KiB token in parts of at most 1000 bytes through pamtester's
# misc_conv (chunked.sh covers the convention in detail).
mint tok --key "$K/rsa.priv.pem" --alg RS256 --kid rsa-kid --target-len 4096
parts=()
t=$tok
while [ "${#t}" -gt 1000 ]; do
	parts+=("${t:0:999}\\")
	t=${t:999}
done
parts+=("$t")
pt jwks alice < <(printf '%s\n' "${parts[@]}")
pt_is_accepted "4 KiB token typed in ${#parts[@]} parts at pamtester's prompts"
ok "4 KiB token: asked for part ${#parts[@]}" eval '[[ $PT_OUT == *"Token (part ${#parts[@]}): "* ]]'
cli_agrees "4 KiB token" jwks alice "$tok" "$(pt_accepted)"

# ---- token preset as PAM_AUTHTOK (pam_set_items.so first) ---------------
C=$(conf preset "jwks_file = $K/jwks.json")
preset_service use-first "$C" use_first_pass
preset_service try-first "$C" try_first_pass
mint tok --key "$K/p384.priv.jwk" --alg ES384 --kid p384-kid

pt_preset use-first alice "$tok"
pt_is_accepted "use_first_pass: token preset as PAM_AUTHTOK"
ok "use_first_pass: no prompt" eval '[[ $PT_OUT != *Token:* ]]'
cli_agrees "use_first_pass" use-first alice "$tok" "$(pt_accepted)"

pt_preset try-first alice "$tok"
pt_is_accepted "try_first_pass: token preset as PAM_AUTHTOK"
ok "try_first_pass: no prompt when PAM_AUTHTOK is set" eval '[[ $PT_OUT != *Token:* ]]'

# try_first_pass without a preset token asks for it.
pt_token try-first alice "$tok"
pt_is_accepted "try_first_pass: no PAM_AUTHTOK, token typed at the prompt"
ok "try_first_pass: prompted with \"Token: \"" eval '[[ $PT_OUT == *"Token: "* ]]'

# use_first_pass without a preset token must not prompt, and fails.
pt_token use-first alice "$tok"
pt_is_refused "use_first_pass: no PAM_AUTHTOK, refused" "$E_AUTH"
ok "use_first_pass: never prompts" eval '[[ $PT_OUT != *Token:* ]]'

done_testing
