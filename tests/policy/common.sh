# Shared setup for the policy PAM tests (sourced by bash, after `set -u`).
#
# pol_setup makes a private temp dir with test users (nss_wrapper), a PAM
# service dir (pam_wrapper) whose `other` service denies, and an EdDSA
# key made by tests/jose-tools (its JWKS is what the configs name).
# Tokens are minted by tests/jose-tools/mint.mjs, never by pam_jwt's C
# code.  Logins run through pamtester (pt) or tests/policy/pamenv (envrun)
# under pam_wrapper and nss_wrapper.  Tokens are never printed: the
# diagnostics go through pol_redact.

: "${top_srcdir:?top_srcdir is not set (run through make check, or export it)}"
: "${top_builddir:?top_builddir is not set (run through make check, or export it)}"
top_srcdir=$(cd "$top_srcdir" && pwd)
top_builddir=$(cd "$top_builddir" && pwd)

# shellcheck source=../lib/tap.sh
. "$top_srcdir/tests/lib/tap.sh"

# Not an https issuer: with no static key an https issuer would make the
# module fetch keys from the network, and a test never does.
ISS=urn:pam-jwt:policy:idp
AUD=ssh://host1.policy.test
SUDO_AUD=sudo://host1.policy.test
MODULE=$top_builddir/pam_jwt/.libs/pam_jwt.so
CLI=$top_builddir/tools/pam-jwt
PAMENV=$top_builddir/tests/policy/pamenv
JOSE=$top_srcdir/tests/jose-tools

# pam_strerror texts, as pamtester prints them.
E_AUTH="Authentication failure"
E_UNAVAIL="Authentication service cannot retrieve authentication info"
E_USER_UNKNOWN="User not known to the underlying authentication module"
E_PERM="Permission denied"
E_ACCT_EXPIRED="User account has expired"
OK_AUTH="successfully authenticated"
OK_ACCT="account management done."
OK_SESSION="successfully opened a session"

# ---- requirements ---------------------------------------------------------

pol_require() {
	[ -f "$MODULE" ] || skip_all "module not built ($MODULE)"
	[ -x "$CLI" ] || skip_all "CLI not built ($CLI)"
	command -v node >/dev/null 2>&1 || skip_all "node is not installed"
	[ -d "$JOSE/node_modules/jose" ] || skip_all "tests/jose-tools/node_modules missing (npm ci there)"
	command -v pamtester >/dev/null 2>&1 || skip_all "pamtester is not installed"
	PAM_WRAPPER_LIB=$(pkg-config --libs pam_wrapper 2>/dev/null | awk '{print $1}')
	NSS_WRAPPER_LIB=$(pkg-config --libs nss_wrapper 2>/dev/null | awk '{print $1}')
	[ -n "$PAM_WRAPPER_LIB" ] && [ -f "$PAM_WRAPPER_LIB" ] || skip_all "libpam-wrapper is not installed"
	[ -n "$NSS_WRAPPER_LIB" ] && [ -f "$NSS_WRAPPER_LIB" ] || skip_all "libnss-wrapper is not installed"
	WRAPMODS=$(pkg-config --variable=modules pam_wrapper 2>/dev/null)
	[ -n "$WRAPMODS" ] || WRAPMODS=/usr/lib/x86_64-linux-gnu/pam_wrapper
	SECDIR=$(dirname "$(find /lib /usr/lib /lib64 /usr/lib64 -name pam_permit.so \
		-path '*security*' 2>/dev/null | head -n 1)")
	[ -f "$SECDIR/pam_permit.so" ] || skip_all "no pam_permit.so found"
}

pol_require_pamenv() {
	[ -x "$PAMENV" ] || skip_all "tests/policy/pamenv not built (make check builds it)"
}

# ---- temp dir, users, keys -----------------------------------------------

pol_setup() {
	umask 077
	T=$(mktemp -d "${TMPDIR:-/tmp}/pam_jwt_policy.XXXXXX") || { echo "Bail out! mktemp failed"; exit 1; }
	trap 'rm -rf "$T"' EXIT
	SVC=$T/pam.d
	mkdir -p "$SVC" "$T/keys" "$T/conf"
	cat >"$T/passwd" <<-EOF
	root:x:0:0:root:/root:/bin/sh
	alice:x:1001:1001:Alice:/home/alice:/bin/sh
	bob:x:1002:1002:Bob:/home/bob:/bin/sh
	deploy:x:1003:1003:Deploy robot:/srv/deploy:/bin/sh
	backup:x:1004:1004:Backup robot:/var/backups:/bin/sh
	EOF
	cat >"$T/group" <<-EOF
	root:x:0:
	alice:x:1001:
	bob:x:1002:
	deploy:x:1003:
	backup:x:1004:
	EOF
	chmod 644 "$T/passwd" "$T/group"
	echo "auth required $SECDIR/pam_deny.so" >"$SVC/other"
	echo "account required $SECDIR/pam_deny.so" >>"$SVC/other"
	node "$JOSE/keygen.mjs" EdDSA "$T/keys/idp" --kid idp-1 --quiet ||
		{ echo "Bail out! keygen failed"; exit 1; }
	node "$JOSE/jwks.mjs" "$T/keys/idp.pub.jwk" >"$T/keys/jwks.json" ||
		{ echo "Bail out! jwks failed"; exit 1; }
	chmod 644 "$T/keys/jwks.json"
	JWKS=$T/keys/jwks.json
}

# ---- tokens ----------------------------------------------------------------

# mint VAR ARG...: a token signed with the test key ($MINT_KEY, $MINT_ALG,
# $MINT_KID: the EdDSA key of pol_setup unless changed), iss $ISS, aud
# $AUD and sub alice unless the arguments give them.  A failed mint bails
# out (a refusal test must never pass on an empty token).
mint() {
	local var=$1 a out have_iss='' have_aud='' have_sub=''
	shift
	local -a d=(--key "${MINT_KEY:-$T/keys/idp.priv.jwk}" --alg "${MINT_ALG:-EdDSA}"
		--kid "${MINT_KID:-idp-1}")
	for a in "$@"; do
		case $a in
		--iss | --iss=*) have_iss=1 ;;
		--aud | --aud=*) have_aud=1 ;;
		--sub | --sub=*) have_sub=1 ;;
		esac
	done
	[ -n "$have_iss" ] || d+=(--iss "$ISS")
	[ -n "$have_aud" ] || d+=(--aud "$AUD")
	[ -n "$have_sub" ] || d+=(--sub alice)
	out=$(node "$JOSE/mint.mjs" "${d[@]}" "$@") && [ -n "$out" ] ||
		{ echo "Bail out! mint.mjs failed for $var"; exit 1; }
	printf -v "$var" '%s' "$out"
}

# pol_redact: shorten every long base64url run (tokens) in stdin.
pol_redact() {
	sed -E 's/([A-Za-z0-9_-]{12})[A-Za-z0-9_.\\-]{8,}/\1.../g'
}

# ---- configuration and services ----------------------------------------------

# conf NAME LINE...: $T/conf/NAME.conf with issuer, audience and the JWKS,
# then the given lines; prints the path.
conf() {
	local f=$T/conf/$1.conf l
	shift
	{
		echo "issuer = $ISS"
		echo "audience = $AUD"
		echo "jwks_file = $JWKS"
		for l in "$@"; do echo "$l"; done
	} >"$f"
	chmod 600 "$f"
	echo "$f"
}

# service NAME LINE...: the PAM service file $SVC/NAME.
service() {
	local f=$SVC/$1 l
	shift
	for l in "$@"; do echo "$l"; done >"$f"
	chmod 644 "$f"
}

# ---- pamtester --------------------------------------------------------------

# pt SERVICE USER OP...: pamtester under pam_wrapper and nss_wrapper, the
# answers on stdin.  Sets PT_OUT (stdout and stderr) and PT_RC.
pt() {
	local svc=$1 user=$2
	shift 2
	PT_OUT=$(env LD_PRELOAD="$PAM_WRAPPER_LIB $NSS_WRAPPER_LIB" PAM_WRAPPER=1 \
		PAM_WRAPPER_SERVICE_DIR="$SVC" \
		NSS_WRAPPER_PASSWD="$T/passwd" NSS_WRAPPER_GROUP="$T/group" \
		${PT_ENV:-} pamtester -v "$svc" "$user" "$@" 2>&1)
	PT_RC=$?
}

# pt_answers SERVICE USER OPS ANSWER...: OPS is a space-separated list of
# pamtester operations; one answer per prompt.
pt_answers() {
	local svc=$1 user=$2 ops=$3
	shift 3
	local -a o
	read -r -a o <<<"$ops"
	pt "$svc" "$user" "${o[@]}" < <(printf '%s\n' "$@")
}

_pt_diag() {
	diag "  pamtester exit $PT_RC, output:"
	printf '%s\n' "$PT_OUT" | pol_redact | sed 's/^/#     /'
}

# pt_ok NAME [TEXT...]: the last run succeeded and printed every TEXT
# (default: the authentication success line).
pt_ok() {
	local name=$1 t good=1
	shift
	[ $# -gt 0 ] || set -- "$OK_AUTH"
	[ "$PT_RC" -eq 0 ] || good=0
	for t in "$@"; do [[ $PT_OUT == *"$t"* ]] || good=0; done
	if [ "$good" = 1 ]; then
		ok "$name" true
	else
		ok "$name" false
		_pt_diag
	fi
}

# pt_refused NAME TEXT [NOT_TEXT]: the last run failed with the PAM error
# TEXT (and never printed NOT_TEXT, default the authentication success
# line).
pt_refused() {
	local name=$1 text=$2 not=${3:-$OK_AUTH}
	if [ "$PT_RC" -ne 0 ] && [[ $PT_OUT == *"pamtester: $text"* ]] && [[ $PT_OUT != *"$not"* ]]; then
		ok "$name" true
	else
		ok "$name" false
		diag "  want the PAM error: $text"
		_pt_diag
	fi
}

# prompted TEXT / not_prompted TEXT: about the last pamtester run.
prompted() { [[ $PT_OUT == *"$1"* ]]; }
not_prompted() { [[ $PT_OUT != *"$1"* ]]; }

# ---- pamenv ------------------------------------------------------------------

# envrun SERVICE USER [-s N | -t EPOCH] [-u NEWUSER] [-a] ANSWER...: run pamenv; sets
# EV_OUT, EV_RC.
envrun() {
	local svc=$1 user=$2
	shift 2
	local -a opts=()
	while [ $# -gt 0 ]; do
		case $1 in
		-s) opts+=(-s "$2"); shift 2 ;;
		-t) opts+=(-t "$2"); shift 2 ;;
		-a) opts+=(-a); shift ;;
		-u) opts+=(-u "$2"); shift 2 ;;
		*) break ;;
		esac
	done
	EV_OUT=$(printf '%s\n' "$@" | env LD_PRELOAD="$PAM_WRAPPER_LIB $NSS_WRAPPER_LIB" \
		PAM_WRAPPER=1 PAM_WRAPPER_SERVICE_DIR="$SVC" \
		NSS_WRAPPER_PASSWD="$T/passwd" NSS_WRAPPER_GROUP="$T/group" \
		"$PAMENV" "${opts[@]}" "$svc" "$user" 2>&1)
	EV_RC=$?
	[ "$EV_RC" -ne 2 ] || { echo "Bail out! pamenv failed: $(printf '%s' "$EV_OUT" | pol_redact)"; exit 1; }
}

_ev_diag() {
	diag "  pamenv exit $EV_RC, output:"
	printf '%s\n' "$EV_OUT" | pol_redact | sed 's/^/#     /'
}

# ev_line NAME LINE: the last pamenv run printed exactly this line.
ev_line() {
	if printf '%s\n' "$EV_OUT" | grep -qxF -- "$2"; then
		ok "$1" true
	else
		ok "$1" false
		diag "  want the line: $2"
		_ev_diag
	fi
}

# ev_no NAME REGEX: no line of the last pamenv run matches REGEX.
ev_no() {
	if printf '%s\n' "$EV_OUT" | grep -qE -- "$2"; then
		ok "$1" false
		diag "  want no line matching: $2"
		_ev_diag
	else
		ok "$1" true
	fi
}

# ---- the CLI --------------------------------------------------------------

# cli_verify TOKEN ARG...: pam-jwt verify with nss_wrapper's users; sets
# CLI_OUT and CLI_RC.
cli_verify() {
	local token=$1
	shift
	CLI_OUT=$(printf '%s\n' "$token" | env LD_PRELOAD="$NSS_WRAPPER_LIB" \
		NSS_WRAPPER_PASSWD="$T/passwd" NSS_WRAPPER_GROUP="$T/group" \
		"$CLI" verify "$@" 2>&1)
	CLI_RC=$?
}

# cli_reason NAME TOKEN REGEX ARG...: pam-jwt verify ARG... refuses the
# token (exit 1) with a reason line matching "reason: REGEX", so a
# refusal test is refused for the reason it is named after.
cli_reason() {
	local name=$1 token=$2 re=$3
	shift 3
	cli_verify "$token" "$@"
	if [ "$CLI_RC" -eq 1 ] && grep -qE -- "^reason: $re" <<<"$CLI_OUT"; then
		ok "$name" true
	else
		ok "$name" false
		diag "  want exit 1 and a reason matching: $re; got exit $CLI_RC:"
		printf '%s\n' "$CLI_OUT" | grep -E '^(verdict|reason|user|mapping|pam-jwt)' |
			pol_redact | sed 's/^/#     /'
	fi
}
