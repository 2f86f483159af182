#!/bin/bash
# No claim can name root: an account chosen from a claim value
# (user_claim, or the claim:NAME result of a mapping rule) is refused when
# it is root (UID 0, whatever its name), a system account (UID below
# min_uid, by default UID_MIN of /etc/login.defs) or listed in deny_users.
# A mapping rule that names the account literally still works.  Each case
# goes through PAM (pamtester, and pamdrive for the logged reason) and
# through `pam-jwt verify`, which must agree.
#
# Auth centers often let people choose or register their own user names:
# a realm user called "root", "daemon" or "deploy" must not get that
# account.
set -u
. "$top_srcdir/tests/integration/common.sh"
pj_require_built
pj_require_node
pj_require_pamtester
pj_require_drive
pj_setup
pj_keys

K=$T/keys
# UID_MIN of this host (the module's default for min_uid); the system
# accounts below sit under it, the people above it.
UID_MIN=$(awk '$1 == "UID_MIN" && $2 ~ /^[0-9]+$/ { v = $2 } END { print v }' /etc/login.defs 2>/dev/null)
[ -n "$UID_MIN" ] || UID_MIN=1000
SYS_UID=$((UID_MIN - 2))
[ "$SYS_UID" -gt 1 ] || { echo "Bail out! UID_MIN $UID_MIN leaves no room for a system account"; exit 1; }
cat >>"$T/passwd" <<EOF
root:x:0:0:root:/root:/bin/sh
toor:x:0:0:root under another name:/root:/bin/sh
daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin
deploy:x:$SYS_UID:$SYS_UID:Deploy robot:/srv/deploy:/bin/sh
carol:x:$((UID_MIN + 7)):$((UID_MIN + 7)):Carol:/home/carol:/bin/sh
EOF

JWKS="jwks_file = $K/jwks.json"
jwt_service claim "$(conf claim "$JWKS" "user_claim = preferred_username")"
jwt_service claim-deny "$(conf claim-deny "$JWKS" "user_claim = preferred_username" \
	"deny_users = bob, carol")"
jwt_service claim-min900 "$(conf claim-min900 "$JWKS" "user_claim = preferred_username")" \
	min_uid=$((SYS_UID - 1))
jwt_service claim-min1 "$(conf claim-min1 "$JWKS" "user_claim = preferred_username" "min_uid = 1")"
jwt_service sub "$(conf sub "$JWKS")"

MAP=$T/conf/accounts.map
cat >"$MAP" <<EOF
# literal rules: the administrator named these accounts
groups=admins -> root
sub=robot-ci -> deploy
sub=ops-bot -> carol
# people: the account their claim names
iss=$PJ_ISS -> claim:preferred_username
EOF
chmod 600 "$MAP"
jwt_service map "$(conf map "$JWKS" "map_file = $MAP" "deny_users = carol")"

# person NAME: a token whose preferred_username is NAME (sub is a UUID, as
# Keycloak's).
person() { mint "$1" --key "$K/rsa.priv.pem" --alg RS256 --kid rsa-kid \
	--sub 5f2c4b1e-8d0a-4c55-9d1b-2f1f0c6a7e21 --claims "{\"preferred_username\":\"$2\"}"; }

# ---- user_claim --------------------------------------------------------------
person tok alice
accept_typed "control: preferred_username alice -> alice" claim alice "$tok"
person tok root
refuse_typed "claim names root: preferred_username root refused" claim root "$tok" "$E_AUTH" user
log_has "claim names root: the log says why" 'refused token for user="root": user: .*"root".*UID 0'
cli "${SVC_CONF[claim]}" root "$tok"
ok "claim names root: pam-jwt verify gives the reason" \
	grep -qE '^reason: user: account "root" has UID 0' <<<"$CLI_OUT"
person tok toor
refuse_typed "claim names root under another name: toor (UID 0) refused" claim toor "$tok" "$E_AUTH" user
person tok daemon
refuse_typed "claim names a system account: daemon (UID 1) refused" claim daemon "$tok" "$E_AUTH" user
log_has "claim names a system account: the log names min_uid" \
	"refused token for user=\"daemon\": user: .*\"daemon\".*UID 1, below min_uid $UID_MIN"
person tok deploy
refuse_typed "claim names a robot: deploy (UID $SYS_UID < UID_MIN $UID_MIN) refused" claim deploy "$tok" \
	"$E_AUTH" user
mint tok --key "$K/rsa.priv.pem" --alg RS256 --kid rsa-kid --sub root
refuse_typed "sub names root (default user_claim) refused" sub root "$tok" "$E_AUTH" user
mint tok --key "$K/rsa.priv.pem" --alg RS256 --kid rsa-kid --sub daemon
refuse_typed "sub names daemon (default user_claim) refused" sub daemon "$tok" "$E_AUTH" user

# min_uid overrides login.defs: lowered below deploy's UID, deploy is a
# login account; root stays refused whatever min_uid says.
person tok deploy
accept_typed "min_uid $((SYS_UID - 1)): deploy (UID $SYS_UID) accepted" claim-min900 deploy "$tok"
person tok daemon
refuse_typed "min_uid $((SYS_UID - 1)): daemon still refused" claim-min900 daemon "$tok" "$E_AUTH" user
accept_typed "min_uid 1: daemon (UID 1) accepted" claim-min1 daemon "$tok"
person tok root
refuse_typed "min_uid 1: root is still refused" claim-min1 root "$tok" "$E_AUTH" user

# deny_users
person tok carol
refuse_typed "deny_users: carol (a login UID) refused" claim-deny carol "$tok" "$E_AUTH" user
log_has "deny_users: the log says so" 'refused token for user="carol": user: .*"carol".*deny_users'
person tok bob
refuse_typed "deny_users: bob (after a comma and a space) refused" claim-deny bob "$tok" "$E_AUTH" user
person tok alice
accept_typed "deny_users: alice, not listed, accepted" claim-deny alice "$tok"
person tok carol
accept_typed "control: carol without deny_users accepted" claim carol "$tok"

# ---- mapping rules -------------------------------------------------------------
mint tok --key "$K/rsa.priv.pem" --alg RS256 --kid rsa-kid --sub x \
	--claims '{"groups":["admins"],"preferred_username":"alice"}'
accept_typed "literal rule groups=admins -> root still works" map root "$tok"
mint tok --key "$K/rsa.priv.pem" --alg RS256 --kid rsa-kid --sub robot-ci
accept_typed "literal rule sub=robot-ci -> deploy (a system account) still works" map deploy "$tok"
mint tok --key "$K/rsa.priv.pem" --alg RS256 --kid rsa-kid --sub ops-bot
accept_typed "literal rule sub=ops-bot -> carol works although deny_users lists carol" map carol "$tok"
person tok alice
accept_typed "control: claim:preferred_username alice -> alice" map alice "$tok"
person tok root
refuse_typed "claim:preferred_username root refused" map root "$tok" "$E_AUTH" user
person tok deploy
refuse_typed "claim:preferred_username deploy (the robot) refused" map deploy "$tok" "$E_AUTH" user
log_has "claim:preferred_username deploy: the log says why" \
	'refused token for user="deploy": user: .*"deploy".*UID [0-9]+, below min_uid'
person tok daemon
refuse_typed "claim:preferred_username daemon refused" map daemon "$tok" "$E_AUTH" user
person tok carol
refuse_typed "claim:preferred_username carol refused (deny_users)" map carol "$tok" "$E_AUTH" user

# ---- options -------------------------------------------------------------------
for bad in "min_uid = 0" "min_uid = -5" "min_uid = 1k" "min_uid = 4294967296" "deny_users = a/b" \
	"deny_users = ,"; do
	c=$(conf badopt "$JWKS" "$bad")
	out=$("$PJ_CLI" check --syntax --config "$c" 2>&1)
	rc=$?
	if [ "$rc" -ne 0 ] && grep -q "${bad%% *}" <<<"$out"; then
		ok "option \"$bad\" refused" true
	else
		ok "option \"$bad\" refused" false
		diag "  pam-jwt check exit $rc: $out"
	fi
done

check_log_clean "no token in the log"
done_testing
