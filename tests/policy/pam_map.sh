#!/bin/bash
# The mapping file through real PAM stacks (pamtester under pam_wrapper):
# a robot's sub maps to the deploy account, the admins group maps to root
# only for the sudo service and never for sshd, a Kubernetes service
# account maps to its robot account, an unmatched token is
# PAM_USER_UNKNOWN, and a malformed or unsafe mapping file refuses every
# token.  `pam-jwt verify` names the rule that decided.
set -u
. "$top_srcdir/tests/policy/common.sh"
pol_require
pol_setup

MAP=$T/conf/accounts.map
cat >"$MAP" <<EOF
# pam_jwt mapping rules for the policy tests: first match wins.
iss=$ISS sub=robot-ci -> deploy
sub=system:serviceaccount:ops:backup -> backup
sub=mallory -> deny

# the admins group may become root, through sudo only
groups=admins pam_service=sudo -> root

# people log in to their own account
pam_service=sshd|sudo sub~* -> claim:sub
EOF
chmod 600 "$MAP"
C=$(conf map "map_file = $MAP")
for s in sshd sudo login; do
	service "$s" \
		"auth     required  $MODULE config=$C" \
		"account  required  $MODULE config=$C"
done

mint robot --sub robot-ci
mint k8s --sub system:serviceaccount:ops:backup
mint k8s_other --sub system:serviceaccount:web:backup
mint admin --claims '{"groups":["devs","admins"]}'
mint dev --claims '{"groups":["devs"]}'
mint mallory --sub mallory --claims '{"groups":["admins"]}'
mint stranger --sub carol

# ---- robots ------------------------------------------------------------------
pt_answers sshd deploy "authenticate acct_mgmt" "$robot"
pt_ok "robot sub robot-ci -> deploy at sshd" "$OK_AUTH" "$OK_ACCT"
pt_answers login deploy authenticate "$robot"
pt_ok "robot rule has no service condition: deploy at login too"
pt_answers sshd alice authenticate "$robot"
pt_refused "robot token as alice refused (it maps to deploy)" "$E_AUTH"
pt_answers sshd root authenticate "$robot"
pt_refused "robot token as root refused" "$E_AUTH"
pt_answers sshd backup "authenticate acct_mgmt" "$k8s"
pt_ok "Kubernetes system:serviceaccount:ops:backup -> backup" "$OK_AUTH" "$OK_ACCT"
pt_answers sshd backup authenticate "$k8s_other"
pt_refused "another namespace's service account is not backup" "$E_AUTH"

# ---- groups=admins -> root only for sudo ---------------------------------------
pt_answers sudo root "authenticate acct_mgmt" "$admin"
pt_ok "admins token -> root through sudo" "$OK_AUTH" "$OK_ACCT"
pt_answers sshd root authenticate "$admin"
pt_refused "admins token -> root through sshd refused" "$E_AUTH"
pt_answers sshd alice authenticate "$admin"
pt_ok "admins token at sshd maps alice to alice"
pt_answers sudo alice authenticate "$admin"
pt_refused "admins token at sudo maps to root, so not to alice" "$E_AUTH"
pt_answers sudo root authenticate "$dev"
pt_refused "devs token -> root through sudo refused" "$E_AUTH"
pt_answers sudo alice authenticate "$dev"
pt_ok "devs token at sudo maps alice to alice (claim:sub)"

# ---- deny and no match -------------------------------------------------------
pt_answers sudo root authenticate "$mallory"
pt_refused "deny rule before the admins rule wins" "$E_AUTH"
pt_answers sshd mallory authenticate "$mallory"
pt_refused "deny rule: mallory refused at sshd" "$E_AUTH"
pt_answers login alice authenticate "$admin"
pt_refused "no rule for service login: user unknown" "$E_USER_UNKNOWN"
pt_answers login bob authenticate "$stranger"
pt_refused "unmatched token: user unknown" "$E_USER_UNKNOWN"

# ---- the CLI names the rule that decided ----------------------------------------
cli_verify "$robot" --config "$C" --user deploy --service sshd
ok "cli: robot token accepted, rule line 2" grep -qx "mapping rule: $MAP:2" <<<"$CLI_OUT"
cli_verify "$admin" --config "$C" --user root --service sudo
ok "cli: admins token through sudo, rule line 7" grep -qx "mapping rule: $MAP:7" <<<"$CLI_OUT"
cli_verify "$admin" --config "$C" --user alice --service sshd
ok "cli: admins token through sshd, rule line 10" grep -qx "mapping rule: $MAP:10" <<<"$CLI_OUT"
cli_reason "cli: no rule for service login" "$admin" 'no-account: no mapping rule matched' \
	--config "$C" --user alice --service login
ok "cli: no rule: \"mapping rule: none\"" grep -qx "mapping rule: none" <<<"$CLI_OUT"
cli_reason "cli: deny rule named" "$mallory" "user: denied by mapping rule $MAP:4" \
	--config "$C" --user root --service sudo

# ---- broken mapping files refuse every token ----------------------------------
bad_map() {
	local name=$1 mode=$2 text=$3 f=$T/conf/$1.map
	printf '%s' "$text" >"$f"
	chmod "$mode" "$f"
	service "bad-$name" "auth required $MODULE config=$C map_file=$f"
}
bad_map typo 600 "$(printf 'sub=robot-ci -> deploy\n\n# broken:\ngroups=admins root\n')"
bad_map badname 600 "$(printf 'sub=robot-ci -> deploy\n* -> -rf\n')"
bad_map writable 666 "$(printf 'sub=robot-ci -> deploy\n')"
service bad-missing "auth required $MODULE config=$C map_file=$T/conf/nonexistent.map"
for b in typo badname writable missing; do
	pt_answers "bad-$b" deploy authenticate "$robot"
	pt_refused "broken map ($b): a token a good rule matches is refused" "$E_UNAVAIL"
done
cli_verify "$robot" --config "$C" --user deploy map_file="$T/conf/typo.map"
is "cli: malformed map is a configuration error (exit 2)" "$CLI_RC" 2
ok "cli: the error names file and line 4" grep -q "typo.map:4:" <<<"$CLI_OUT"

done_testing
