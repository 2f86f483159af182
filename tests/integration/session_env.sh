#!/bin/bash
# The PAM_JWT_* variables through real stacks run in one PAM handle
# (pamdrive, pam_start_confdir):
# - a token accepted for alice in an attempt that failed later in the
#   stack leaves nothing for bob, who logs in with a password next in the
#   same handle (a greeter's second try);
# - pam_env user_readenv=1 (the user's ~/.pam_environment) presetting
#   PAM_JWT_* before pam_jwt's session line, as in examples/pam.d/gdm-password,
#   is overwritten or removed: only claims of the token pam_jwt accepted for
#   the session's user remain;
# - a session run as another user (sudo's target) keeps the claims of
#   the user who authenticated;
# - arrays are exported as JSON text, so ["a,b"] and ["a","b"] differ;
# - in every example stack, pam_jwt's session line comes after pam_env's.
set -u
. "$top_srcdir/tests/integration/common.sh"
pj_require_built
pj_require_node
pj_require_drive
pj_require_pamtester # pam_matrix comes with pam_wrapper
pj_setup
pj_keys

K=$T/keys
PW=matrix-pw-of-bob
echo "bob:$PW:any" >"$T/passdb"
chmod 600 "$T/passdb"
MATRIX="$PJ_WRAPMODS/pam_matrix.so passdb=$T/passdb"
C=$(conf env "jwks_file = $K/jwks.json" "session_env = iss,sub,groups")

mint alice_tok --key "$K/ed.priv.pem" --alg EdDSA --kid ed-kid
mint alice_grp --key "$K/ed.priv.pem" --alg EdDSA --kid ed-kid --claims '{"groups":["a,b"]}'
mint alice_grp2 --key "$K/ed.priv.pem" --alg EdDSA --kid ed-kid --claims '{"groups":["a","b"]}'
mint alice_odd --key "$K/ed.priv.pem" --alg EdDSA --kid ed-kid \
	--claims '{"groups":["q\"uote","back\\slash",7,true,"caf\u00e9"]}'
mint alice_brk --key "$K/ed.priv.pem" --alg EdDSA --kid ed-kid --claims '{"groups":"[\"admins\"]"}'

# env_is NAME WANT: the PAM_JWT_* variables after the last pamdrive run
# (sorted, one per line) are exactly WANT.
env_is() {
	local got
	got=$(dr_env | LC_ALL=C sort)
	if [ "$got" = "$2" ]; then
		ok "$1" true
	else
		ok "$1" false
		diag "  want: $(printf '%s' "$2" | tr '\n' ' ')"
		diag "  got:  $(printf '%s' "$got" | tr '\n' ' ')"
		_dr_diag
	fi
}

# ---- a failed attempt by alice, then bob with a password ----------------
# alice's token is accepted by pam_jwt (which exports at authentication,
# for sshd), but a later module refuses alice; bob then logs in with his
# password in the same handle.
service retry "$(jwt_line '[success=1 default=ignore]' "$C")" \
	"auth required $MATRIX" \
	"auth required $PJ_SECDIR/pam_succeed_if.so user != alice"
drive retry alice -a bob -e "$alice_tok" "$PW" "$PW"
dr_is "stale export: alice's attempt fails, bob's password login succeeds" 0
ok "stale export: alice's attempt was refused by the stack" grep -q '^first: 7 ' <<<"$DR_OUT"
env_is "stale export: no PAM_JWT_SUB=alice (nor any PAM_JWT_*) in bob's environment" ""

# ---- the gdm stack's order: pam_env user_readenv=1, then pam_jwt ----------
# Home directories with ~/.pam_environment files; pam_env reads them with
# the user's own rights.
mkdir -p "$T/home/alice" "$T/home/bob"
cat >"$T/passwd" <<-EOF
	alice:x:1001:1001:Alice:$T/home/alice:/bin/sh
	bob:x:1002:1002:Bob:$T/home/bob:/bin/sh
EOF
chmod 711 "$T" "$T/home"
chmod 755 "$T/home/alice" "$T/home/bob"
printf 'PAM_JWT_SUB=root\nPAM_JWT_GROUPS=admins\nPAM_JWT_EXTRA=yes\n' >"$T/home/alice/.pam_environment"
printf 'PAM_JWT_SUB=alice\nPAM_JWT_GROUPS=admins\n' >"$T/home/bob/.pam_environment"
chmod 644 "$T/home/alice/.pam_environment" "$T/home/bob/.pam_environment"
: >"$T/empty"
chmod 644 "$T/empty"
ENV="$PJ_SECDIR/pam_env.so readenv=1 user_readenv=1 conffile=$T/empty envfile=$T/empty"
# examples/pam.d/gdm-password, with pam_matrix for pam_unix
service gdm "$(jwt_line '[success=2 default=ignore]' "$C")" \
	"auth [success=1 default=ignore] $MATRIX" \
	"auth requisite $PJ_SECDIR/pam_deny.so" \
	"auth required $PJ_SECDIR/pam_permit.so" \
	"account required $PJ_SECDIR/pam_permit.so" \
	"account required $PJ_MODULE config=$C" \
	"session required $ENV" \
	"session optional $PJ_MODULE config=$C"

# Control: pam_env really reads the file (else the cases below prove nothing).
service envonly "auth required $PJ_SECDIR/pam_permit.so" \
	"account required $PJ_SECDIR/pam_permit.so" "session required $ENV"
drive envonly alice -S -e
env_is "control: pam_env user_readenv=1 presets PAM_JWT_* from ~/.pam_environment" \
	"$(printf 'PAM_JWT_EXTRA=yes\nPAM_JWT_GROUPS=admins\nPAM_JWT_SUB=root')"

drive gdm alice -S -e "$alice_tok"
dr_is "preset by pam_env: alice's token login and session succeed" 0
env_is "preset by pam_env: only the token's claims remain (no GROUPS=admins, no SUB=root)" \
	"$(printf 'PAM_JWT_ISS=%s\nPAM_JWT_SUB=alice' "$PJ_ISS")"

drive gdm bob -S -e "$PW" "$PW"
dr_is "preset by pam_env: bob's password login and session succeed" 0
env_is "preset by pam_env: a password login gets no PAM_JWT_* (not SUB=alice)" ""

# sudo sets PAM_USER to the target user before the session: the claims
# still describe who authenticated (alice), and only them.
service switch "$(jwt_line required "$C")" \
	"account required $PJ_SECDIR/pam_permit.so" \
	"session optional $PJ_MODULE config=$C"
drive switch alice -S -U bob -e "$alice_tok"
env_is "session as another user (sudo's target): the authenticated user's claims" \
	"$(printf 'PAM_JWT_ISS=%s\nPAM_JWT_SUB=alice' "$PJ_ISS")"

# ---- arrays: JSON text ----------------------------------------------------
service plain "$(jwt_line required "$C")" "account required $PJ_SECDIR/pam_permit.so" \
	"session optional $PJ_MODULE config=$C"
drive plain alice -S -e "$alice_grp"
ok "array [\"a,b\"] exported as JSON text" grep -qx 'env: PAM_JWT_GROUPS=\["a,b"\]' <<<"$DR_OUT"
v1=$(dr_env | grep '^PAM_JWT_GROUPS=')
drive plain alice -S -e "$alice_grp2"
ok "array [\"a\",\"b\"] exported as JSON text" grep -qx 'env: PAM_JWT_GROUPS=\["a","b"\]' <<<"$DR_OUT"
v2=$(dr_env | grep '^PAM_JWT_GROUPS=')
ok "[\"a,b\"] and [\"a\",\"b\"] give different values" test -n "$v1" -a "$v1" != "$v2"
drive plain alice -S -e "$alice_odd"
ok "array with quotes, backslashes, numbers, booleans, non-ASCII: escaped JSON" \
	grep -qxF 'env: PAM_JWT_GROUPS=["q\"uote","back\\slash",7,true,"caf??"]' <<<"$DR_OUT"
drive plain alice -S -e "$alice_brk"
env_is "a string claim that looks like an array is not exported as one" \
	"$(printf 'PAM_JWT_ISS=%s\nPAM_JWT_SUB=alice' "$PJ_ISS")"

# ---- the example stacks: pam_jwt's session line after every pam_env ------
for f in "$top_srcdir"/examples/pam.d/*; do
	last_env=$(grep -nE '^[^#]*session.*pam_env\.so' "$f" | tail -n 1 | cut -d: -f1)
	jwt=$(grep -nE '^[^#]*session.*pam_jwt\.so' "$f" | head -n 1 | cut -d: -f1)
	[ -n "$last_env" ] && [ -n "$jwt" ] || continue
	ok "$(basename "$f"): pam_jwt's session line comes after every pam_env line" \
		test "$jwt" -gt "$last_env"
done

check_log_clean "nothing secret in the log"
done_testing
