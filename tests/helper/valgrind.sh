#!/bin/bash
# The token helper under valgrind (memcheck, leaks, uninitialised values):
# token from the cache and by refresh, askpass whole and in parts, status,
# robot, a refused audience and a damaged cache.  Slow, so not part of
# `make check`; run it by hand:
#   top_srcdir=. top_builddir=. bash tests/helper/valgrind.sh
set -u
. "${top_srcdir:?}/tests/helper/common.sh"
th_require
command -v valgrind >/dev/null 2>&1 || skip_all "valgrind is not installed"
th_setup
ACDIR=$T/ac
th_start_ac "$ACDIR"
HOST=$(hostname)
th_client_conf "audiences = ssh://host1 sudo://$HOST"
VG_ERR=42

th_login alice
is "login: exit 0" "$LOGIN_RC" 0

# vg NAME WANT_RC CMD ARG...: pam-jwt under valgrind; passes when it exits
# WANT_RC and valgrind found no error and no definite leak.
vg() {
	local name=$1 want=$2 rc
	shift 2
	${VG_VIA:+via "$VG_VIA"} valgrind -q --error-exitcode=$VG_ERR --leak-check=full \
		--errors-for-leak-kinds=definite --track-origins=yes --log-file="$T/vg.log" \
		"$CLI" "$@" >"$T/vg.out" 2>"$T/vg.err"
	rc=$?
	if [ "$rc" -eq "$want" ] && [ ! -s "$T/vg.log" ]; then
		ok "valgrind: $name" true
	else
		ok "valgrind: $name" false
		diag "  exit $rc (want $want); valgrind said:"
		sed 's/^/#     /' "$T/vg.log" | head -n 40
		sed 's/^/#     /' "$T/vg.err" | th_redact | head -n 5
	fi
}

vg "token, refreshed" 0 token --audience ssh://host1 --min-valid 9999
vg "token, from the cache" 0 token --audience ssh://host1
vg "token --json" 0 token --audience ssh://host1 --json
vg "token for an audience not covered" $X_LOGIN token --audience ssh://other
vg "askpass, ssh prompt, whole token" 0 askpass "(alice@host1) Token: "
# sudo prompts are answered only under sudo (a process of that name)
export PAM_JWT_CLI_ASKPASS_SESSION=valgrind
VG_VIA=sudo vg "askpass, sudo prompt, first part" 0 askpass "Token: "
VG_VIA=sudo vg "askpass, sudo prompt, part 2" 0 askpass "Token (part 2): "
unset PAM_JWT_CLI_ASKPASS_SESSION
vg "askpass, sudo prompt not from sudo" $X_PROMPT askpass "[sudo] password for alice: "
vg "askpass, host key prompt" $X_PROMPT askpass "Are you sure you want to continue connecting (yes/no)? "
VG_VIA=sudo vg "askpass --explain" 0 askpass --explain "[sudo] password for alice: "
vg "status" 0 status
vg "status --json" 0 status --json
printf 'robot-deploy-secret\n' >"$T/secret"
chmod 600 "$T/secret"
vg "robot, client credentials" 0 robot --client-id robot-deploy --client-secret-file "$T/secret" \
	--audience ssh://host1
cp -p "$(login_file)" "$T/login.good"
printf '{"version":1,"tokens":[1,2,3]}' >"$(login_file)"
vg "token with a damaged cache" $X_LOGIN token --audience ssh://host1
cp -p "$T/login.good" "$(login_file)"
vg "logout" 0 logout

# the device flow itself, under valgrind
printf '#!/bin/sh\nexec valgrind -q --error-exitcode=%s --leak-check=full --errors-for-leak-kinds=definite --log-file="%s" "%s" "$@"\n' \
	"$VG_ERR" "$T/vglogin.log" "$CLI" >"$T/vgcli"
chmod 755 "$T/vgcli"
REAL_CLI=$CLI
CLI=$T/vgcli
th_login alice --audience ssh://host1
CLI=$REAL_CLI
is "valgrind: login (device flow) exits 0" "$LOGIN_RC" 0
ok "valgrind: login (device flow) without errors" test ! -s "$T/vglogin.log"
[ -s "$T/vglogin.log" ] && sed 's/^/#     /' "$T/vglogin.log" | head -n 40

done_testing
