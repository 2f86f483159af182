# shellcheck shell=bash disable=SC2034
# Shared setup for the token helper tests (sourced, bash).
#
# Each script: `set -u`, source this file, th_require, th_setup (temp dir,
# private HOME / XDG dirs, cleanup trap), th_start_ac (the test auth
# center, tests/authcenter, stopped by the trap), th_client_conf, then
# drives `pam-jwt login/token/askpass/...` with hx (which records stdout,
# stderr and the exit status) and checks tokens with `pam-jwt verify`.
#
# Never print a token: diagnostics go through th_redact.

: "${top_srcdir:?top_srcdir is not set (run through make check, or export it)}"
: "${top_builddir:?top_builddir is not set (run through make check, or export it)}"
top_srcdir=$(cd "$top_srcdir" && pwd)
top_builddir=$(cd "$top_builddir" && pwd)

# shellcheck source=../lib/tap.sh
. "$top_srcdir/tests/lib/tap.sh"

CLI=$top_builddir/tools/pam-jwt
AC=$top_srcdir/tests/authcenter/ac.sh

# Exit status of the helper commands (pam-jwt(1)).
X_OK=0
X_FAIL=1
X_USAGE=2
X_LOGIN=3
X_CACHE=4
X_NET=5
X_PROMPT=6

th_require() {
	[ -x "$CLI" ] || skip_all "CLI not built ($CLI)"
	command -v node >/dev/null 2>&1 || skip_all "node is not installed"
	command -v curl >/dev/null 2>&1 || skip_all "curl is not installed"
	command -v openssl >/dev/null 2>&1 || skip_all "openssl is not installed"
	[ -d "$top_srcdir/tests/authcenter/node_modules/oidc-provider" ] ||
		skip_all "tests/authcenter/node_modules missing (npm ci there)"
	# pam-jwt verify trusts only a root-owned key cache
	[ "$(id -u)" -eq 0 ] || skip_all "needs root (pam-jwt verify's key cache must be root-owned)"
	TH_NSS_WRAPPER=$(pkg-config --libs nss_wrapper 2>/dev/null | awk '{print $1}')
	[ -n "$TH_NSS_WRAPPER" ] && [ -f "$TH_NSS_WRAPPER" ] ||
		skip_all "libnss-wrapper is not installed (pam-jwt verify needs the test users)"
}

TH_ACS=()
TH_PIDS=()

th_cleanup() {
	local d p
	for p in "${TH_PIDS[@]}"; do
		kill -TERM "$p" 2>/dev/null
	done
	for p in "${TH_PIDS[@]}"; do
		wait "$p" 2>/dev/null
	done
	for d in "${TH_ACS[@]}"; do
		"$AC" stop "$d" >/dev/null 2>&1
	done
	[ -n "${T:-}" ] && rm -rf "$T"
}

bail() {
	echo "Bail out! $*"
	exit 1
}

# A private HOME with empty XDG dirs, so the user's real configuration
# and cache are never touched.
th_setup() {
	umask 077
	T=$(mktemp -d "${TMPDIR:-/tmp}/pam_jwt_helper.XXXXXX") || { echo "Bail out! mktemp failed"; exit 1; }
	trap th_cleanup EXIT
	trap 'exit 130' INT TERM
	export HOME=$T/home
	export XDG_CONFIG_HOME=$T/home/.config
	export XDG_CACHE_HOME=$T/home/.cache
	mkdir -p "$XDG_CONFIG_HOME/pam-jwt" "$T/conf" "$T/keys"
	chmod 700 "$T/keys"
	# the accounts pam-jwt verify may map tokens to (nss_wrapper)
	cat >"$T/passwd" <<-EOF
	alice:x:1001:1001:Alice:/home/alice:/bin/sh
	bob:x:1002:1002:Bob:/home/bob:/bin/sh
	carol:x:1003:1003:Carol:/home/carol:/bin/sh
	deploy:x:1010:1010:Deploy robot:/nonexistent:/usr/sbin/nologin
	EOF
	cat >"$T/group" <<-EOF
	alice:x:1001:
	bob:x:1002:
	carol:x:1003:
	deploy:x:1010:
	EOF
	chmod 644 "$T/passwd" "$T/group"
	CONF=$XDG_CONFIG_HOME/pam-jwt/client.conf
	CACHE=$XDG_CACHE_HOME/pam-jwt
	unset PAM_JWT_CLI_ISSUER PAM_JWT_CLI_CLIENT_ID PAM_JWT_CLI_SCOPE PAM_JWT_CLI_CA_FILE PAM_JWT_CLI_CA_DIR \
		PAM_JWT_CLI_AUDIENCES PAM_JWT_CLI_AUDIENCE PAM_JWT_CLI_AUDIENCE_SSH PAM_JWT_CLI_AUDIENCE_SUDO \
		PAM_JWT_CLI_PROMPT PAM_JWT_CLI_CACHE_DIR PAM_JWT_CLI_HTTP_TIMEOUT PAM_JWT_CLI_MIN_VALID \
		PAM_JWT_CLI_CLIENT_CONF PAM_JWT_CLI_ASKPASS_SERVICE PAM_JWT_CLI_ASKPASS_HOST \
		PAM_JWT_CLI_ASKPASS_SESSION SSH_ASKPASS_PROMPT
}

# th_start_ac DIR [ac.sh start options]: start the auth center (one retry:
# its start-up check can race); ISS is the issuer.
th_start_ac() {
	local d=$1 try
	shift
	mkdir -p "$d"
	TH_ACS+=("$d")
	for try in 1 2; do
		ISS=$("$AC" start "$d" "$@" 2>"$T/ac.err") && [ -n "$ISS" ] && return 0
		"$AC" stop "$d" >/dev/null 2>&1
		sleep 0.5
	done
	bail "ac.sh start failed: $(cat "$T/ac.err")"
}

# th_client_conf LINE...: the user's client.conf: issuer, client_id,
# ca_file of the auth center, then LINE...
th_client_conf() {
	local l
	{
		echo "# pam-jwt token helper test"
		echo "issuer = $ISS"
		echo "client_id = pam-jwt-cli"
		echo "ca_file = $ACDIR/ca.pem"
		echo "http_timeout = 5"
		for l in "$@"; do echo "$l"; done
	} >"$CONF"
	chmod 600 "$CONF"
}

# via NAME CMD ARG...: run CMD ARG... as the child of a process named NAME
# (a copy of bash by that name, which waits for CMD instead of exec'ing
# it): askpass looks at its parent to tell whether sudo asks.
via() {
	local name=$1
	shift
	if [ ! -x "$T/via/$name" ]; then
		mkdir -p "$T/via"
		cp "$BASH" "$T/via/$name" || bail "cannot copy $BASH"
	fi
	"$T/via/$name" -c '"$@"; exit $?' "$name" "$@"
}

# hx CMD ARG...: run pam-jwt CMD ARG... (as the child of a process named
# $HX_VIA when set, see via); sets OUT, ERR, RC.
hx() {
	if [ -n "${HX_VIA:-}" ]; then
		via "$HX_VIA" "$CLI" "$@" >"$T/hx.out" 2>"$T/hx.err"
	else
		"$CLI" "$@" >"$T/hx.out" 2>"$T/hx.err"
	fi
	RC=$?
	OUT=$(cat "$T/hx.out")
	ERR=$(cat "$T/hx.err")
}

# th_redact: cut long base64url runs to a short prefix.
th_redact() {
	sed -E 's/([A-Za-z0-9_-]{12})[A-Za-z0-9_.\\-]{8,}/\1.../g'
}

_th_diag() {
	diag "  pam-jwt exit $RC; stdout:"
	printf '%s\n' "$OUT" | th_redact | sed 's/^/#     /'
	diag "  stderr:"
	printf '%s\n' "$ERR" | th_redact | sed 's/^/#     /'
}

# rc_is NAME WANT: the last hx exited with WANT.
rc_is() {
	if [ "$RC" -eq "$2" ]; then
		ok "$1" true
	else
		ok "$1" false
		diag "  want exit $2"
		_th_diag
	fi
}

# like NAME TEXT REGEX: TEXT matches the extended REGEX.
like() {
	if printf '%s\n' "$2" | grep -Eq -- "$3"; then
		ok "$1" true
	else
		ok "$1" false
		diag "  want a match for: $3; got:"
		printf '%s\n' "$2" | th_redact | sed 's/^/#     /'
	fi
}

# same NAME A B: A = B, without printing them (they are tokens).
same() {
	if [ "$2" = "$3" ]; then
		ok "$1" true
	else
		ok "$1" false
		diag "  the two differ (lengths ${#2} and ${#3}; values not shown)"
	fi
}

# unlike NAME TEXT FIXED: TEXT does not contain the fixed string.
unlike() {
	if [ -n "$3" ] && printf '%s\n' "$2" | grep -Fq -- "$3"; then
		ok "$1" false
		diag "  the text contains what it must not"
	else
		ok "$1" true
	fi
}

# ---- login through the device flow -------------------------------------

# th_login USER [login options]: run `pam-jwt login` in the background,
# read the user code from its output, approve it as USER with
# `ac.sh device-approve` (USER --deny: press Abort instead), wait for
# login to end.  Sets LOGIN_OUT,
# LOGIN_RC, LOGIN_CODE.
th_login() {
	local user=$1 i pid
	shift
	: >"$T/login.out"
	"$CLI" login "$@" >"$T/login.out" 2>"$T/login.err" &
	pid=$!
	TH_PIDS+=("$pid")
	LOGIN_CODE=''
	for ((i = 0; i < 100; i++)); do
		LOGIN_CODE=$(sed -n 's/.*enter the code: *\([A-Z0-9-]*\).*/\1/p; s/.*"user_code":"\([A-Z0-9-]*\)".*/\1/p' \
			"$T/login.out" | head -n 1)
		[ -n "$LOGIN_CODE" ] && break
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if [ -n "$LOGIN_CODE" ] && [ "$user" = "--deny" ]; then
		deny_code "$LOGIN_CODE" >"$T/approve.out" 2>&1 || diag "deny failed: $(cat "$T/approve.out")"
	elif [ -n "$LOGIN_CODE" ]; then
		"$AC" device-approve "$ACDIR" "$LOGIN_CODE" "$user" >"$T/approve.out" 2>&1 ||
			diag "device-approve failed: $(cat "$T/approve.out")"
	fi
	for ((i = 0; i < 300; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -0 "$pid" 2>/dev/null && kill -TERM "$pid"
	wait "$pid"
	LOGIN_RC=$?
	LOGIN_OUT="$(cat "$T/login.out")
$(cat "$T/login.err")"
}

# deny_code CODE: play the person who presses "Abort" on the
# verification page.
deny_code() {
	"$AC" device-deny "$ACDIR" "$1"
}

# ---- pam-jwt verify ------------------------------------------------------

# th_verify_conf FILE AUDIENCE [LINE...]: a pam_jwt.conf for the auth
# center (keys fetched and cached in a root-owned directory).
th_verify_conf() {
	local f=$1 aud=$2 l
	shift 2
	mkdir -p "$T/keys"
	{
		echo "issuer = $ISS"
		echo "audience = $aud"
		echo "ca_file = $ACDIR/ca.pem"
		echo "cache_dir = $T/keys"
		echo "fetch_helper = $top_builddir/pam_jwt/pam_jwt-fetch"
		echo "http_timeout = 5"
		for l in "$@"; do echo "$l"; done
	} >"$f"
	chmod 600 "$f"
}

# vf CONF TOKEN [ARG...]: pam-jwt verify under nss_wrapper (users alice,
# bob, carol, deploy); sets VF_OUT, VF_RC.
vf() {
	local c=$1 tok=$2
	shift 2
	printf '%s\n' "$tok" | env LD_PRELOAD="$TH_NSS_WRAPPER" NSS_WRAPPER_PASSWD="$T/passwd" \
		NSS_WRAPPER_GROUP="$T/group" "$CLI" verify --config "$c" "$@" >"$T/vf.out" 2>&1
	VF_RC=$?
	VF_OUT=$(grep -E '^(verdict|reason|user|mapping|pam-jwt)' "$T/vf.out")
}

vf_accepted() {
	if [ "$VF_RC" -eq 0 ] && [[ $VF_OUT == *"verdict: accept"* ]]; then
		ok "$1" true
	else
		ok "$1" false
		diag "  pam-jwt verify exit $VF_RC:"
		printf '%s\n' "$VF_OUT" | th_redact | sed 's/^/#     /'
	fi
}

vf_refused_like() {
	if [ "$VF_RC" -ne 0 ] && [[ $VF_OUT == *"verdict: refuse"* ]] &&
		printf '%s\n' "$VF_OUT" | grep '^reason: ' | grep -Eq -- "$2"; then
		ok "$1" true
	else
		ok "$1" false
		diag "  want a refusal matching $2; pam-jwt verify exit $VF_RC:"
		printf '%s\n' "$VF_OUT" | th_redact | sed 's/^/#     /'
	fi
}

# ---- tokens and the cache ------------------------------------------------

# claim TOKEN NAME: a claim of TOKEN (decoded with node, not with pam-jwt).
claim() {
	node -e '
		let p = {};
		try {
			p = JSON.parse(Buffer.from(process.argv[1].split(".")[1], "base64url").toString());
		} catch (e) {
			process.stdout.write("(not a JWT)");
			process.exit(0);
		}
		const v = p[process.argv[2]];
		process.stdout.write(v === undefined ? "" : typeof v === "string" ? v : JSON.stringify(v));' "$1" "$2"
}

# login_file: the path of the (only) login file in the cache.
login_file() {
	ls "$CACHE"/login-*.json 2>/dev/null | head -n 1
}

# cache_get FIELD: a top-level member of the login file.
cache_get() {
	node -e '
		const c = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
		const v = c[process.argv[2]];
		process.stdout.write(v === undefined || v === null ? "" : String(v));' "$(login_file)" "$1"
}

# ac_token_count: token endpoint requests since the last ac_reset.
ac_token_count() {
	"$AC" stats "$ACDIR" | node -e '
		const s = JSON.parse(require("fs").readFileSync(0, "utf8"));
		process.stdout.write(String(s.token ?? 0));'
}

ac_reset() { "$AC" stats "$ACDIR" --reset >/dev/null || bail "ac.sh stats --reset failed"; }

# mode PATH: octal mode (e.g. 600).
mode() { stat -c '%a' "$1" 2>/dev/null; }
