#!/bin/bash
# A sudo-like PAM stack (pamtester under pam_wrapper): the token must be
# for the sudo audience, carry the admins group and be fresh (max_age);
# the account line re-checks the group.  Tokens from tests/jose-tools.
set -u
. "$top_srcdir/tests/policy/common.sh"
pol_require
pol_setup

C=$(conf sudo)
SUDO_ARGS="config=$C audience=$SUDO_AUD require=groups=admins max_age=5m"
service sudo \
	"auth     required  $MODULE $SUDO_ARGS" \
	"account  required  $MODULE config=$C audience=$SUDO_AUD require=groups=admins"
service sshd \
	"auth     required  $MODULE config=$C" \
	"account  required  $SECDIR/pam_permit.so"

ADMIN='{"groups":["devs","admins"]}'
mint good --aud "$SUDO_AUD" --claims "$ADMIN"
mint nogroup --aud "$SUDO_AUD" --claims '{"groups":["devs"]}'
mint noclaim --aud "$SUDO_AUD"
mint emptygroups --aud "$SUDO_AUD" --claims '{"groups":[]}'
mint stringgroup --aud "$SUDO_AUD" --claims '{"groups":"admins"}'
mint lookalike --aud "$SUDO_AUD" --claims '{"groups":["Admins","administrators","admins "]}'
mint stale --aud "$SUDO_AUD" --claims "$ADMIN" --iat-in -3600 --exp-in 600
mint stale_auth --aud "$SUDO_AUD" --claims '{"groups":["admins"],"auth_time":1000000000}'
mint fresh_enough --aud "$SUDO_AUD" --claims "$ADMIN" --iat-in -240 --exp-in 600
mint sshaud --aud "$AUD" --claims "$ADMIN"
mint bothaud --aud "$AUD" --aud "$SUDO_AUD" --claims "$ADMIN"
mint forbob --aud "$SUDO_AUD" --sub bob --claims "$ADMIN"

# ---- the sudo stack ----------------------------------------------------------
pt_answers sudo alice "authenticate acct_mgmt" "$good"
pt_ok "sudo: admins group, sudo audience, fresh token: accepted" "$OK_AUTH" "$OK_ACCT"
pt_answers sudo alice authenticate "$nogroup"
pt_refused "sudo: token without the admins group refused" "$E_AUTH"
pt_answers sudo alice authenticate "$noclaim"
pt_refused "sudo: token without a groups claim refused" "$E_AUTH"
pt_answers sudo alice authenticate "$emptygroups"
pt_refused "sudo: token with groups [] refused" "$E_AUTH"
pt_answers sudo alice "authenticate acct_mgmt" "$stringgroup"
pt_ok "sudo: groups as the single string \"admins\" accepted" "$OK_AUTH" "$OK_ACCT"
pt_answers sudo alice authenticate "$lookalike"
pt_refused "sudo: look-alike groups (case, prefix, trailing space) refused" "$E_AUTH"
pt_answers sudo alice authenticate "$stale"
pt_refused "sudo: stale token (iat 1 h ago, max_age 5m) refused" "$E_AUTH"
pt_answers sudo alice authenticate "$stale_auth"
pt_refused "sudo: old auth_time (max_age 5m) refused though iat is fresh" "$E_AUTH"
pt_answers sudo alice authenticate "$fresh_enough"
pt_ok "sudo: token 4 minutes old (max_age 5m) accepted"
pt_answers sudo alice authenticate "$sshaud"
pt_refused "sudo: token for the SSH audience refused" "$E_AUTH"
pt_answers sudo alice authenticate "$bothaud"
pt_ok "sudo: token whose aud lists ssh and sudo accepted"
pt_answers sudo alice authenticate "$forbob"
pt_refused "sudo: bob's token as alice refused" "$E_AUTH"
pt_answers sudo root authenticate "$good"
pt_refused "sudo: alice's token for PAM user root refused" "$E_AUTH"

# ---- the same tokens at the SSH service --------------------------------------
pt_answers sshd alice authenticate "$sshaud"
pt_ok "sshd: token for the SSH audience accepted"
pt_answers sshd alice authenticate "$good"
pt_refused "sshd: token for the sudo audience refused" "$E_AUTH"
pt_answers sshd alice authenticate "$nogroup"
pt_refused "sshd: sudo-audience token refused even without the group rule" "$E_AUTH"
mint ssh_nogroup --claims '{"groups":["devs"]}'
pt_answers sshd alice authenticate "$ssh_nogroup"
pt_ok "sshd: no group rule on the SSH line, devs token accepted"

# ---- more rules on one line: scope and amr -------------------------------------
service sudo-mfa \
	"auth     required  $MODULE $SUDO_ARGS require=scope=sudo require=amr=mfa|hwk" \
	"account  required  $SECDIR/pam_permit.so"
mint mfa --aud "$SUDO_AUD" --claims '{"groups":["admins"],"scope":"openid sudo","amr":["pwd","mfa"]}'
mint nomfa --aud "$SUDO_AUD" --claims '{"groups":["admins"],"scope":"openid sudo","amr":["pwd"]}'
mint noscope --aud "$SUDO_AUD" --claims '{"groups":["admins"],"scope":"openid sudoers","amr":["hwk"]}'
pt_answers sudo-mfa alice authenticate "$mfa"
pt_ok "sudo-mfa: scope sudo, amr mfa, admins: accepted"
pt_answers sudo-mfa alice authenticate "$nomfa"
pt_refused "sudo-mfa: amr without mfa/hwk refused" "$E_AUTH"
pt_answers sudo-mfa alice authenticate "$noscope"
pt_refused "sudo-mfa: scope \"sudoers\" is not scope \"sudo\"" "$E_AUTH"

# ---- a malformed require rule on the line fails closed -----------------------
service sudo-badrule "auth required $MODULE $SUDO_ARGS require=groups"
pt_answers sudo-badrule alice authenticate "$good"
pt_refused "sudo: malformed require rule (no value) refuses even a good token" "$E_UNAVAIL"

# ---- pam-jwt verify: the same verdicts, and the reasons ---------------------------
V=(--config "$C" --user alice --service sudo audience="$SUDO_AUD" require=groups=admins max_age=5m)
cli_verify "$good" "${V[@]}"
is "cli: good sudo token accepted" "$CLI_RC" 0
cli_reason "cli: no admins group: refused by the require rule" "$nogroup" \
	'claim: require groups=admins does not hold' "${V[@]}"
cli_reason "cli: look-alike groups: refused by the require rule" "$lookalike" \
	'claim: require groups=admins does not hold' "${V[@]}"
cli_reason "cli: stale token: refused by max_age" "$stale" 'expired: .*max_age' "${V[@]}"
cli_reason "cli: old auth_time: refused by max_age" "$stale_auth" 'expired: .*max_age' "${V[@]}"
cli_reason "cli: SSH audience: refused by aud" "$sshaud" 'audience: ' "${V[@]}"
cli_reason "cli: bob's token as alice: refused as another user" "$forbob" 'user: ' "${V[@]}"

done_testing
