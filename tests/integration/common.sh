# Shared setup for the integration tests (sourced, bash).
#
# Each script: `set -u`, source this file, call pj_setup (temp dir, test
# users, keys), write configs and PAM services, then run logins through
# pamtester under pam_wrapper (pt_*) or through the in-process driver
# pamdrive (drive_*).  Tokens and keys come from tests/jose-tools (node +
# jose), never from pam_jwt's own C code.
#
# Never print a token: diagnostics go through pj_redact, which cuts every
# long base64url run down to a short prefix.

: "${top_srcdir:?top_srcdir is not set (run through make check, or export it)}"
: "${top_builddir:?top_builddir is not set (run through make check, or export it)}"
top_srcdir=$(cd "$top_srcdir" && pwd)
top_builddir=$(cd "$top_builddir" && pwd)

# shellcheck source=../lib/tap.sh
. "$top_srcdir/tests/lib/tap.sh"

# The issuer is not an https URL on purpose: with no static key, an https
# issuer makes the module fetch keys from the network; a test must never.
PJ_ISS=urn:pam-jwt:test:idp
PJ_AUD=host-a.pamjwt.test
PJ_MODULE=$top_builddir/pam_jwt/.libs/pam_jwt.so
PJ_CLI=$top_builddir/tools/pam-jwt
PJ_DRIVE=$top_builddir/tests/integration/pamdrive
JOSE=$top_srcdir/tests/jose-tools

# PAM error texts (pam_strerror) as pamtester prints them.
E_AUTH="Authentication failure"
E_UNAVAIL="Authentication service cannot retrieve authentication info"
E_USER_UNKNOWN="User not known to the underlying authentication module"
E_PERM="Permission denied"
OK_TEXT="successfully authenticated"

# PAM return codes (Linux-PAM).
PAM_SUCCESS=0
PAM_PERM_DENIED=6
PAM_AUTH_ERR=7
PAM_AUTHINFO_UNAVAIL=9
PAM_USER_UNKNOWN=10

# Exit status of valgrind runs that found errors (see valgrind.sh).
PJ_VG_ERROR=42

# ---- requirements -----------------------------------------------------

# The module, the CLI and nss_wrapper (the CLI and pamdrive need the test
# users too).
pj_require_built() {
	[ -f "$PJ_MODULE" ] || skip_all "module not built ($PJ_MODULE)"
	[ -x "$PJ_CLI" ] || skip_all "CLI not built ($PJ_CLI)"
	PJ_NSS_WRAPPER=$(pkg-config --libs nss_wrapper 2>/dev/null | awk '{print $1}')
	[ -n "$PJ_NSS_WRAPPER" ] && [ -f "$PJ_NSS_WRAPPER" ] || skip_all "libnss-wrapper is not installed"
}

pj_require_node() {
	command -v node >/dev/null 2>&1 || skip_all "node is not installed"
	[ -d "$JOSE/node_modules/jose" ] ||
		skip_all "tests/jose-tools/node_modules missing (run npm ci there)"
}

pj_require_pamtester() {
	command -v pamtester >/dev/null 2>&1 || skip_all "pamtester is not installed"
	PJ_PAM_WRAPPER=$(pkg-config --libs pam_wrapper 2>/dev/null | awk '{print $1}')
	[ -n "$PJ_PAM_WRAPPER" ] && [ -f "$PJ_PAM_WRAPPER" ] || skip_all "libpam-wrapper is not installed"
}

pj_require_drive() {
	[ -x "$PJ_DRIVE" ] || skip_all "pamdrive not built (make check builds it)"
}

# ---- temp dir, users, PAM module dirs ----------------------------------

pj_setup() {
	umask 077
	T=$(mktemp -d "${TMPDIR:-/tmp}/pam_jwt_it.XXXXXX") || { echo "Bail out! mktemp failed"; exit 1; }
	trap 'rm -rf "$T"' EXIT
	PJ_SVC=$T/pam.d
	mkdir -p "$PJ_SVC" "$T/keys" "$T/conf" "$T/in"
	cat >"$T/passwd" <<-EOF
	alice:x:1001:1001:Alice:/home/alice:/bin/sh
	bob:x:1002:1002:Bob:/home/bob:/bin/sh
	EOF
	cat >"$T/group" <<-EOF
	alice:x:1001:
	bob:x:1002:
	EOF
	chmod 644 "$T/passwd" "$T/group"
	PJ_WRAPMODS=$(pkg-config --variable=modules pam_wrapper 2>/dev/null)
	[ -n "$PJ_WRAPMODS" ] || PJ_WRAPMODS=/usr/lib/x86_64-linux-gnu/pam_wrapper
	PJ_SECDIR=$(dirname "$(find /lib /usr/lib /lib64 /usr/lib64 -name pam_permit.so \
		-path '*security*' 2>/dev/null | head -n 1)")
	# The fallback service when a name is mistyped: deny.
	echo "auth required $PJ_SECDIR/pam_deny.so" >"$PJ_SVC/other"
	PJ_LOG=$T/syslog
	: >"$PJ_LOG"
	: >"$T/secrets"
	declare -gA SVC_CONF=() SVC_ARGS=()
}

# ---- keys ----------------------------------------------------------------

# pj_keys: one key per family, with kids, plus a second ("other") key of
# each family for wrong-key tests, a JWKS of the first set, an HMAC secret
# of 64 random bytes.  Files: $T/keys/NAME.{pub,priv}.{pem,jwk}.
pj_keys() {
	local name alg
	for name in rsa:RS256 p256:ES256 p384:ES384 p521:ES512 ed:EdDSA \
		rsa2:RS256 p2562:ES256 ed2:EdDSA; do
		alg=${name#*:}
		name=${name%%:*}
		node "$JOSE/keygen.mjs" "$alg" "$T/keys/$name" --kid "$name-kid" --quiet ||
			{ echo "Bail out! keygen $alg failed"; exit 1; }
	done
	chmod 644 "$T"/keys/*.pub.*
	node "$JOSE/jwks.mjs" "$T"/keys/{rsa,p256,p384,p521,ed}.pub.jwk >"$T/keys/jwks.json" ||
		{ echo "Bail out! jwks failed"; exit 1; }
	chmod 644 "$T/keys/jwks.json"
	head -c 64 /dev/urandom >"$T/keys/hmac.secret"
	chmod 600 "$T/keys/hmac.secret"
}

# Private key and kid for an algorithm (first set).
key_for() {
	case $1 in
	RS* | PS*) echo rsa ;;
	ES256) echo p256 ;;
	ES384) echo p384 ;;
	ES512) echo p521 ;;
	EdDSA) echo ed ;;
	*) echo "Bail out! no key for $1" >&2; return 1 ;;
	esac
}

# ---- tokens ------------------------------------------------------------

# mint VAR ARGS...: run jose-tools mint.mjs with the suite's iss/aud and
# sub alice unless ARGS give them; store the token in VAR.  A failed mint
# aborts the script (a refused-token test must never pass on an empty
# token).
mint() {
	local var=$1 a out have_iss='' have_aud='' have_sub=''
	shift
	local -a d=()
	for a in "$@"; do
		case $a in
		--iss | --iss=*) have_iss=1 ;;
		--aud | --aud=*) have_aud=1 ;;
		--sub | --sub=*) have_sub=1 ;;
		esac
	done
	[ -n "$have_iss" ] || d+=(--iss "$PJ_ISS")
	[ -n "$have_aud" ] || d+=(--aud "$PJ_AUD")
	[ -n "$have_sub" ] || d+=(--sub alice)
	out=$(node "$JOSE/mint.mjs" "${d[@]}" "$@") && [ -n "$out" ] ||
		{ echo "Bail out! mint.mjs failed for $var"; exit 1; }
	printf -v "$var" '%s' "$out"
	pj_secret "$out"
}

# mint_confusion VAR ARGS...: the same with hs-confusion.mjs.
mint_confusion() {
	local var=$1 out
	shift
	out=$(node "$JOSE/hs-confusion.mjs" --iss "$PJ_ISS" --aud "$PJ_AUD" --sub alice "$@") &&
		[ -n "$out" ] || { echo "Bail out! hs-confusion.mjs failed for $var"; exit 1; }
	printf -v "$var" '%s' "$out"
	pj_secret "$out"
}

b64u() { node "$JOSE/b64url.mjs"; }
b64u_dec() { node "$JOSE/b64url.mjs" -d; }

# Segments of a compact token.
seg() { local IFS=.; local -a p; read -r -a p <<<"$1"; printf '%s' "${p[$2]-}"; }

# pj_secret TOKEN: remember the token and its pieces, which must never
# appear in any log (see check_log_clean).
pj_secret() {
	local t=$1 s
	{
		printf '%s\n' "$t"
		for s in 0 1 2; do
			printf '%s\n' "$(seg "$t" $s)"
		done
		printf '%s\n' "${t%.*}"
	} | awk 'length($0) >= 16' >>"$T/secrets"
}

# pj_redact: cut long base64url runs in stdin to a 12-character prefix.
pj_redact() {
	sed -E 's/([A-Za-z0-9_-]{12})[A-Za-z0-9_.\\-]{8,}/\1.../g'
}

# ---- configs and services ---------------------------------------------

# conf NAME LINE...: write $T/conf/NAME.conf with issuer and audience and
# the given "key = value" lines, mode 600; print its path.
conf() {
	local f=$T/conf/$1.conf l
	shift
	{
		echo "# test config"
		echo "issuer = $PJ_ISS"
		echo "audience = $PJ_AUD"
		for l in "$@"; do echo "$l"; done
	} >"$f"
	chmod 600 "$f"
	echo "$f"
}

# service NAME LINE...: write a PAM service file.
service() {
	local f=$PJ_SVC/$1 l
	shift
	for l in "$@"; do echo "$l"; done >"$f"
	chmod 644 "$f"
}

# jwt_line CONTROL CONF ARG...: the service line for pam_jwt.
jwt_line() {
	local control=$1 c=$2
	shift 2
	echo "auth $control $PJ_MODULE config=$c $*"
}

# jwt_service NAME CONF ARG...: a service with pam_jwt alone; remembers
# the config and arguments so the CLI can be asked the same question.
jwt_service() {
	local name=$1 c=$2
	shift 2
	service "$name" "$(jwt_line required "$c" "$@")"
	SVC_CONF[$name]=$c
	SVC_ARGS[$name]="$*"
}

# preset_service NAME CONF ARG...: pam_set_items first (PAM_AUTHTOK from
# the environment), pam_jwt with ARG (use_first_pass / try_first_pass).
# pam_set_items's own result is ignored so that the stack's verdict is
# pam_jwt's.
preset_service() {
	local name=$1 c=$2
	shift 2
	service "$name" "auth [default=ignore] $PJ_WRAPMODS/pam_set_items.so" \
		"$(jwt_line required "$c" "$@")"
	SVC_CONF[$name]=$c
	SVC_ARGS[$name]="$*"
}

# ---- pamtester ----------------------------------------------------------

# pt SERVICE USER: pamtester authenticate under pam_wrapper and
# nss_wrapper, answers on stdin.  Sets PT_OUT (stdout+stderr) and PT_RC.
# PJ_VALGRIND, when set, is a command prefix (see valgrind.sh).
# pam_wrapper picks its scratch dir among 62 names /tmp/pam.X and can lose
# a race with another pam_wrapper process on the host; that start-up
# failure (never a verdict) is retried.
pt() {
	local -a vg=()
	local input try
	[ -n "${PJ_VALGRIND:-}" ] && read -r -a vg <<<"$PJ_VALGRIND"
	input=$(
		cat
		echo x
	)
	input=${input%x}
	for try in 1 2 3; do
		PT_OUT=$(printf '%s' "$input" | env LD_PRELOAD="$PJ_PAM_WRAPPER $PJ_NSS_WRAPPER" \
			PAM_WRAPPER=1 PAM_WRAPPER_SERVICE_DIR="$PJ_SVC" \
			${PJ_VALGRIND:+PAM_WRAPPER_DISABLE_DEEPBIND=1} \
			NSS_WRAPPER_PASSWD="$T/passwd" NSS_WRAPPER_GROUP="$T/group" \
			"${vg[@]}" pamtester -v "$1" "$2" authenticate 2>&1)
		PT_RC=$?
		[[ $PT_OUT == *"Failed to create pam_wrapper config dir"* ]] || break
		sleep 0.$((RANDOM % 9 + 1))
	done
}

# pt_token SERVICE USER TOKEN: the token typed at the prompt.
pt_token() { pt "$1" "$2" <<<"$3"; }

# pt_preset SERVICE USER TOKEN: the token preset as PAM_AUTHTOK, nothing
# on stdin.
pt_preset() { PAM_AUTHTOK=$3 pt "$1" "$2" </dev/null; }

_pt_diag() {
	diag "  pamtester exit $PT_RC, output:"
	printf '%s\n' "$PT_OUT" | pj_redact | sed 's/^/#     /'
}

_vg_failed() {
	[ "$PT_RC" -eq "$PJ_VG_ERROR" ] && [ -n "${PJ_VALGRIND:-}" ]
}

# pt_is_accepted NAME: the last pamtester run succeeded.
pt_is_accepted() {
	local name=$1
	if [ "$PT_RC" -eq 0 ] && [[ $PT_OUT == *"$OK_TEXT"* ]]; then
		ok "$name" true
	else
		ok "$name" false
		_pt_diag
	fi
}

# pt_is_refused NAME TEXT: the last pamtester run failed with PAM error
# TEXT (the pam_strerror text).
pt_is_refused() {
	local name=$1 text=$2
	if [ "$PT_RC" -ne 0 ] && ! _vg_failed && [[ $PT_OUT != *"$OK_TEXT"* ]] &&
		[[ $PT_OUT == *"pamtester: $text"* ]]; then
		ok "$name" true
	else
		ok "$name" false
		diag "  want the PAM error: $text"
		_pt_diag
	fi
}

# ---- the CLI ------------------------------------------------------------

# cli CONF USER TOKEN ARG...: pam-jwt verify; sets CLI_OUT and CLI_RC.
cli() {
	local c=$1 user=$2 token=$3
	shift 3
	CLI_OUT=$(printf '%s\n' "$token" | env LD_PRELOAD="$PJ_NSS_WRAPPER" \
		NSS_WRAPPER_PASSWD="$T/passwd" NSS_WRAPPER_GROUP="$T/group" \
		"$PJ_CLI" verify --config "$c" --user "$user" "$@" 2>&1)
	CLI_RC=$?
}

# cli_agrees NAME SERVICE USER TOKEN MODULE_ACCEPTED(1|0): `pam-jwt
# verify` with the service's config and module arguments (a bare flag
# such as use_first_pass becomes use_first_pass=yes) accepts iff the
# module did.  MODULE_ACCEPTED is what the module really did, never what
# the test hoped for.
cli_agrees() {
	local name=$1 svc=$2 user=$3 token=$4 accepted=$5 a
	local -a args=() words=()
	read -r -a words <<<"${SVC_ARGS[$svc]:-}"
	for a in "${words[@]}"; do
		case $a in
		*=*) args+=("$a") ;;
		*) args+=("$a=yes") ;;
		esac
	done
	cli "${SVC_CONF[$svc]}" "$user" "$token" --service "$svc" "${args[@]}"
	if { [ "$accepted" = 1 ] && [ "$CLI_RC" -eq 0 ]; } ||
		{ [ "$accepted" = 0 ] && [ "$CLI_RC" -ne 0 ]; }; then
		ok "cli agrees: $name" true
	else
		ok "cli agrees: $name" false
		diag "  the module $([ "$accepted" = 1 ] && echo accepted || echo refused)," \
			"pam-jwt verify exit $CLI_RC:"
		printf '%s\n' "$CLI_OUT" | grep -E '^(verdict|reason|user|pam-jwt)' | pj_redact | sed 's/^/#     /'
	fi
}

# pt_accepted: 1 when the last pamtester run succeeded, else 0.
pt_accepted() { if [ "$PT_RC" -eq 0 ]; then echo 1; else echo 0; fi; }

# accept_typed NAME SERVICE USER TOKEN: accepted at the prompt, and the
# CLI agrees.  refuse_typed NAME SERVICE USER TOKEN TEXT: refused with
# PAM error TEXT, and the CLI agrees.
accept_typed() {
	pt_token "$2" "$3" "$4"
	pt_is_accepted "$1"
	cli_agrees "$1" "$2" "$3" "$4" "$(pt_accepted)"
}

refuse_typed() {
	pt_token "$2" "$3" "$4"
	pt_is_refused "$1" "$5"
	cli_agrees "$1" "$2" "$3" "$4" "$(pt_accepted)"
	if [ $# -ge 6 ]; then
		logged_reason "$1" "$2" "$3" "$4" "$6"
	fi
}

# logged_reason NAME SERVICE USER TOKEN REASON: the same login through
# pamdrive is refused and the module logs "refused token ...: REASON: ..."
# (REASON is pj_status_name: signature, expired, ...), so the case is
# refused for the reason it is named after.
logged_reason() {
	log_mark
	drive "$2" "$3" "$4"
	log_has "logs reason \"$5\": $1" "refused token( for user=[^ ]*)?: $5: "
}

# ---- pamdrive ----------------------------------------------------------

# drive SERVICE USER [-c CAP] [-a USER2] [-U USER3] [-S] [-e] ANSWER...:
# run pamdrive with the answers (one per line in a 0600 file); the
# options are pamdrive's (see pamdrive.c); every log line goes to $PJ_LOG.
# Sets DR_OUT, DR_RC.
drive() {
	local svc=$1 user=$2 cap=() a f=$T/in/answers
	shift 2
	while :; do
		case ${1:-} in
		-c | -a | -U) cap+=("$1" "$2"); shift 2 ;;
		-S | -e) cap+=("$1"); shift ;;
		*) break ;;
		esac
	done
	: >"$f"
	for a in "$@"; do printf '%s\n' "$a" >>"$f"; done
	DR_OUT=$(env LD_PRELOAD="$PJ_NSS_WRAPPER" NSS_WRAPPER_PASSWD="$T/passwd" \
		NSS_WRAPPER_GROUP="$T/group" PAMDRIVE_LOG="$PJ_LOG" ${PAMDRIVE_ENV:+"$PAMDRIVE_ENV"} \
		"$PJ_DRIVE" -D "$PJ_SVC" -s "$svc" -u "$user" "${cap[@]}" -f "$f" 2>&1)
	DR_RC=$?
	rm -f "$f"
	[ "$DR_RC" -ne 77 ] || skip_all "libpam has no pam_start_confdir"
	[ "$DR_RC" -ne 99 ] || { echo "Bail out! pamdrive failed: $DR_OUT"; exit 1; }
}

_dr_diag() {
	diag "  pamdrive exit $DR_RC, output:"
	printf '%s\n' "$DR_OUT" | pj_redact | sed 's/^/#     /'
}

# dr_is NAME CODE: the last pamdrive run ended with PAM code CODE.
dr_is() {
	if [ "$DR_RC" -eq "$2" ]; then
		ok "$1" true
	else
		ok "$1" false
		diag "  want PAM code $2"
		_dr_diag
	fi
}

# dr_accepted: 1 when the last pamdrive run succeeded, else 0.
dr_accepted() { if [ "$DR_RC" -eq 0 ]; then echo 1; else echo 0; fi; }

# dr_prompts: the prompts of the last run, one per line.
dr_prompts() { printf '%s\n' "$DR_OUT" | sed -n 's/^prompt: //p'; }

# dr_env: the PAM_JWT_* variables the last run printed (-e), one per line.
dr_env() { printf '%s\n' "$DR_OUT" | sed -n 's/^env: //p'; }

# like NAME TEXT REGEX: a line of TEXT matches the extended REGEX.
like() {
	if printf '%s\n' "$2" | grep -Eq -- "$3"; then
		ok "$1" true
	else
		ok "$1" false
		diag "  want a line matching: $3; got:"
		printf '%s\n' "$2" | pj_redact | sed 's/^/#     /'
	fi
}

# log_mark / log_since: the log lines written since the mark.
log_mark() { LOG_MARK=$(wc -l <"$PJ_LOG"); }
log_since() { tail -n +"$((LOG_MARK + 1))" "$PJ_LOG"; }

# log_has NAME REGEX: a line logged since the mark matches REGEX.
log_has() {
	if log_since | grep -Eq -- "$2"; then
		ok "$1" true
	else
		ok "$1" false
		diag "  want a log line matching: $2; got:"
		log_since | pj_redact | sed 's/^/#     /'
	fi
}

# check_log_clean NAME: no token, token part or signature remembered by
# pj_secret (plus any extra strings listed in $T/secrets) is in the log.
check_log_clean() {
	local hits n
	n=$(wc -l <"$T/secrets")
	if [ ! -s "$PJ_LOG" ]; then
		ok "$1 (the log is empty: capture broken?)" false
		return
	fi
	hits=$(grep -F -f "$T/secrets" "$PJ_LOG" | wc -l)
	if [ "$hits" -eq 0 ]; then
		ok "$1 ($n secrets, $(wc -l <"$PJ_LOG") log lines)" true
	else
		ok "$1" false
		diag "  $hits log lines contain a token or part of one:"
		grep -F -f "$T/secrets" "$PJ_LOG" | pj_redact | sed 's/^/#     /'
	fi
}
