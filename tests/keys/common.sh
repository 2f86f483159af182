# Shared setup for the tests of "keys from the auth center" (sourced, bash).
#
# Each script: `set -u`, source this file, pk_require_* what it needs,
# pk_setup (temp dir, test users, PAM service dir, cleanup trap), then
# starts the test auth center (ac_start, tests/authcenter) and/or the
# hostile server (hs_start, tests/keys/hostile.mjs), writes configs with
# pk_conf and PAM services with pk_service, and logs in through pamtester
# under pam_wrapper + nss_wrapper (pt) or asks `pam-jwt verify` (vf).
#
# Cleanup (EXIT trap): every auth center started is stopped with
# `ac.sh stop`, every other server is killed by PID and waited for, and
# the temp dir is removed.
#
# Never print a token: diagnostics go through pk_redact.

: "${top_srcdir:?top_srcdir is not set (run through make check, or export it)}"
: "${top_builddir:?top_builddir is not set (run through make check, or export it)}"
top_srcdir=$(cd "$top_srcdir" && pwd)
top_builddir=$(cd "$top_builddir" && pwd)

# shellcheck source=../lib/tap.sh
. "$top_srcdir/tests/lib/tap.sh"

PK_MODULE=$top_builddir/pam_jwt/.libs/pam_jwt.so
PK_CLI=$top_builddir/tools/pam-jwt
AC=$top_srcdir/tests/authcenter/ac.sh
JOSE=$top_srcdir/tests/jose-tools
HOSTILE=$top_srcdir/tests/keys/hostile.mjs
AUD=ssh://host1

# PAM error texts (pam_strerror) as pamtester prints them.
E_AUTH="Authentication failure"
E_UNAVAIL="Authentication service cannot retrieve authentication info"
OK_TEXT="successfully authenticated"

# ---- requirements -----------------------------------------------------

pk_require_built() {
	[ -f "$PK_MODULE" ] || skip_all "module not built ($PK_MODULE)"
	[ -x "$PK_CLI" ] || skip_all "CLI not built ($PK_CLI)"
	command -v openssl >/dev/null 2>&1 || skip_all "openssl is not installed"
	command -v curl >/dev/null 2>&1 || skip_all "curl is not installed"
	command -v sha256sum >/dev/null 2>&1 || skip_all "sha256sum is not installed"
	[ "$(id -u)" -eq 0 ] || skip_all "needs root (the module trusts only root-owned caches)"
	PK_NSS_WRAPPER=$(pkg-config --libs nss_wrapper 2>/dev/null | awk '{print $1}')
	[ -n "$PK_NSS_WRAPPER" ] && [ -f "$PK_NSS_WRAPPER" ] || skip_all "libnss-wrapper is not installed"
	command -v pamtester >/dev/null 2>&1 || skip_all "pamtester is not installed"
	PK_PAM_WRAPPER=$(pkg-config --libs pam_wrapper 2>/dev/null | awk '{print $1}')
	[ -n "$PK_PAM_WRAPPER" ] && [ -f "$PK_PAM_WRAPPER" ] || skip_all "libpam-wrapper is not installed"
	command -v node >/dev/null 2>&1 || skip_all "node is not installed"
	[ -d "$JOSE/node_modules/jose" ] || skip_all "tests/jose-tools/node_modules missing (npm ci there)"
}

pk_require_ac() {
	[ -d "$top_srcdir/tests/authcenter/node_modules/oidc-provider" ] ||
		skip_all "tests/authcenter/node_modules missing (npm ci there)"
}

# ---- temp dir, users, PAM services, cleanup --------------------------------

PK_ACS=()
PK_PIDS=()

pk_cleanup() {
	local d p
	for d in "${PK_ACS[@]}"; do
		"$AC" stop "$d" >/dev/null 2>&1
	done
	for p in "${PK_PIDS[@]}"; do
		kill -TERM "$p" 2>/dev/null
	done
	for p in "${PK_PIDS[@]}"; do
		wait "$p" 2>/dev/null
	done
	[ -n "${T:-}" ] && rm -rf "$T"
}

pk_setup() {
	umask 077
	T=$(mktemp -d "${TMPDIR:-/tmp}/pam_jwt_keys.XXXXXX") || { echo "Bail out! mktemp failed"; exit 1; }
	trap pk_cleanup EXIT
	trap 'exit 130' INT TERM
	PK_SVC=$T/pam.d
	mkdir -p "$PK_SVC" "$T/conf" "$T/keys"
	cat >"$T/passwd" <<-EOF
	alice:x:1001:1001:Alice:/home/alice:/bin/sh
	bob:x:1002:1002:Bob:/home/bob:/bin/sh
	robot-deploy:x:1003:1003:Robot:/nonexistent:/usr/sbin/nologin
	EOF
	cat >"$T/group" <<-EOF
	alice:x:1001:
	bob:x:1002:
	robot-deploy:x:1003:
	EOF
	chmod 644 "$T/passwd" "$T/group"
	PK_SECDIR=$(dirname "$(find /lib /usr/lib /lib64 /usr/lib64 -name pam_deny.so \
		-path '*security*' 2>/dev/null | head -n 1)")
	# The fallback service when a name is mistyped: deny.
	echo "auth required $PK_SECDIR/pam_deny.so" >"$PK_SVC/other"
	chmod 644 "$PK_SVC/other"
}

bail() {
	echo "Bail out! $*"
	exit 1
}

# ---- time -----------------------------------------------------------------

now_ms() {
	local t=$EPOCHREALTIME
	t=${t/./}
	echo $((10#$t / 1000))
}

# ---- the test auth center ---------------------------------------------------

# ac_start DIR [ac.sh start options]: start an auth center with its state
# in DIR (registered for cleanup); AC_ISS is its issuer.
#
# ac.sh start can report "server exited" for a server that is starting:
# it looks at /proc/PID/cmdline before the forked shell has exec'd node.
# So a failed start is stopped (the server may be up) and tried again.
ac_start() {
	local d=$1 try
	shift
	mkdir -p "$d"
	PK_ACS+=("$d")
	for try in 1 2 3; do
		AC_ISS=$("$AC" start "$d" "$@" 2>"$T/ac.err") && return 0
		diag "ac.sh start failed (try $try): $(cat "$T/ac.err")"
		sleep 0.5 # let the server exec node, so that stop recognises it
		"$AC" stop "$d" >/dev/null 2>&1
	done
	bail "ac.sh start failed: $(cat "$T/ac.err")"
}

# ac_restart DIR: start the stopped auth center again on its port (same keys).
ac_restart() {
	local port
	port=$(cat "$1/port") && [ -n "$port" ] || bail "no port recorded in $1"
	ac_start "$1" --port "$port"
	[ "$AC_ISS" = "https://127.0.0.1:$port" ] || bail "auth center came back as $AC_ISS, not on port $port"
}

# ac_rotate DIR [--keep-old]: ac.sh rotate (new keys, same port), with the
# same retry as ac_start for the restart part.  (A failed launch removes
# DIR/port: the port is remembered first.)
ac_rotate() {
	local d=$1 port
	shift
	port=$(cat "$d/port") && [ -n "$port" ] || bail "no port recorded in $d"
	if ! AC_ISS=$("$AC" rotate "$d" "$@" 2>"$T/ac.err"); then
		diag "ac.sh rotate failed: $(cat "$T/ac.err")"
		[ -s "$d/keys.json" ] || bail "ac.sh rotate failed before making keys"
		sleep 0.5
		"$AC" stop "$d" >/dev/null 2>&1
		ac_start "$d" --port "$port"
	fi
	[ "$AC_ISS" = "https://127.0.0.1:$port" ] || bail "auth center came back as $AC_ISS, not on port $port"
}

# ac_mint VAR DIR ARGS...: a user token (ac.sh mint) into VAR; defaults:
# --user alice --audience $AUD.  A failed mint aborts the script.
ac_mint() {
	local var=$1 d=$2 out a have_user='' have_aud=''
	shift 2
	for a in "$@"; do
		case $a in
		--user) have_user=1 ;;
		--audience) have_aud=1 ;;
		esac
	done
	local -a def=()
	[ -n "$have_user" ] || def+=(--user alice)
	[ -n "$have_aud" ] || def+=(--audience "$AUD")
	out=$("$AC" mint "$d" "${def[@]}" "$@" 2>"$T/ac.err") && [ -n "$out" ] ||
		bail "ac.sh mint failed for $var: $(cat "$T/ac.err")"
	printf -v "$var" '%s' "$out"
}

# ac_robot VAR DIR ARGS...: a client-credentials token into VAR.
ac_robot() {
	local var=$1 d=$2 out
	shift 2
	out=$("$AC" robot "$d" --audience "$AUD" "$@" 2>"$T/ac.err") && [ -n "$out" ] ||
		bail "ac.sh robot failed for $var: $(cat "$T/ac.err")"
	printf -v "$var" '%s' "$out"
}

# ac_count DIR FIELD: a request counter of the auth center (discovery, jwks).
ac_count() {
	"$AC" stats "$1" | node -e '
		const s = JSON.parse(require("fs").readFileSync(0, "utf8"));
		process.stdout.write(String(s[process.argv[1]] ?? 0));' "$2"
}

ac_reset() { "$AC" stats "$1" --reset >/dev/null || bail "ac.sh stats --reset failed"; }

# ac_paths DIR: the paths the auth center was asked for since the last
# reset, one per line.
ac_paths() {
	"$AC" stats "$1" | node -e '
		const s = JSON.parse(require("fs").readFileSync(0, "utf8"));
		for (const p of Object.keys(s.paths ?? {})) console.log(p);'
}

# ac_private_jwk DIR KIDPREFIX OUT: the auth center's current private
# signing key whose kid starts with KIDPREFIX (rs256, es256, eddsa), for
# tests that need a token validly signed by it with chosen claims.
ac_private_jwk() {
	node -e '
		const fs = require("fs");
		const k = JSON.parse(fs.readFileSync(process.argv[1], "utf8")).keys
			.find((k) => k.kid.startsWith(process.argv[2] + "-"));
		if (!k) process.exit(1);
		fs.writeFileSync(process.argv[3], JSON.stringify(k), { mode: 0o600 });
		process.stdout.write(k.kid);' "$1/keys.json" "$2" "$3" || bail "no $2 key in $1/keys.json"
}

# ---- the hostile server -------------------------------------------------------

# hs_certs DIR: a test CA (ca.pem) and three server certificates in DIR:
# good (IP 127.0.0.1, by the CA), wrongname (DNS other.example, by the
# CA), selfsigned (IP 127.0.0.1, self-signed).
hs_certs() {
	local d=$1
	mkdir -p "$d"
	(
		cd "$d" || exit 1
		openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
			-keyout ca.key -out ca.pem -days 2 -subj "/CN=pam_jwt hostile test CA" \
			-addext basicConstraints=critical,CA:TRUE \
			-addext keyUsage=critical,keyCertSign,cRLSign || exit 1
		for c in good:IP:127.0.0.1 wrongname:DNS:other.example; do
			name=${c%%:*}
			openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
				-keyout "$name.key" -out "$name.csr" -subj "/CN=$name" || exit 1
			printf '%s\n' "subjectAltName=${c#*:}" basicConstraints=critical,CA:FALSE \
				keyUsage=critical,digitalSignature extendedKeyUsage=serverAuth >"$name.ext"
			openssl x509 -req -in "$name.csr" -CA ca.pem -CAkey ca.key -days 2 \
				-set_serial "0x$(openssl rand -hex 8)" -extfile "$name.ext" -out "$name.pem" || exit 1
		done
		openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
			-keyout selfsigned.key -out selfsigned.pem -days 2 -subj "/CN=127.0.0.1" \
			-addext subjectAltName=IP:127.0.0.1 || exit 1
		chmod 644 ca.pem
	) >"$T/openssl.log" 2>&1 || bail "openssl failed: $(tail -n 3 "$T/openssl.log")"
}

# hs_start DIR: start hostile.mjs on DIR (certificates and DIR/good.jwks
# must be there); HS_ISS is its issuer.
hs_start() {
	local d=$1 pid i
	rm -f "$d/port" "$d/ctlport" "$d/issuer"
	node "$HOSTILE" "$d" </dev/null >"$d/server.log" 2>&1 &
	pid=$!
	PK_PIDS+=("$pid")
	for ((i = 0; i < 200; i++)); do
		[ -s "$d/port" ] && break
		kill -0 "$pid" 2>/dev/null || bail "hostile.mjs exited: $(tail -n 5 "$d/server.log")"
		sleep 0.05
	done
	[ -s "$d/port" ] || bail "hostile.mjs did not start"
	HS_ISS=$(cat "$d/issuer")
}

_hs_ctl() {
	curl -sS --max-time 5 "http://127.0.0.1:$(cat "$1/ctlport")$2"
}

# hs_set DIR QUERY: set the mode (see hostile.mjs), e.g. "mode=file&file=x.jwks".
hs_set() {
	_hs_ctl "$1" "/set?$2" >"$T/hs.out" 2>&1 && grep -q '"mode"' "$T/hs.out" ||
		bail "hostile set $2 failed: $(cat "$T/hs.out")"
}

# hs_count DIR FIELD: connections (TCP), discovery, jwks or other requests so far.
hs_count() {
	_hs_ctl "$1" /stats | node -e '
		const s = JSON.parse(require("fs").readFileSync(0, "utf8"));
		process.stdout.write(String(s[process.argv[1]]));' "$2"
}

hs_reset() { _hs_ctl "$1" "/stats?reset=1" >/dev/null || bail "hostile stats reset failed"; }

# hs_requests DIR: discovery + jwks requests so far.
hs_requests() { echo $(($(hs_count "$1" discovery) + $(hs_count "$1" jwks))); }

# ---- keys and tokens made by tests/jose-tools ---------------------------------

# jkeygen ALG PREFIX KID [keygen options]: a key pair, public files 0644.
jkeygen() {
	local alg=$1 prefix=$2 kid=$3
	shift 3
	node "$JOSE/keygen.mjs" "$alg" "$prefix" --kid "$kid" --quiet "$@" ||
		bail "keygen $alg $kid failed"
	chmod 644 "$prefix".pub.*
}

# jjwks OUT PUBJWK...: a JWKS file.
jjwks() {
	local out=$1
	shift
	node "$JOSE/jwks.mjs" "$@" >"$out" || bail "jwks.mjs failed for $out"
	chmod 644 "$out"
}

# jmint VAR ARGS...: a token from mint.mjs into VAR (aud $AUD and sub
# alice unless given).  A failed mint aborts the script.
jmint() {
	local var=$1 a out have_aud='' have_sub=''
	shift
	for a in "$@"; do
		case $a in
		--aud) have_aud=1 ;;
		--sub) have_sub=1 ;;
		esac
	done
	local -a def=()
	[ -n "$have_aud" ] || def+=(--aud "$AUD")
	[ -n "$have_sub" ] || def+=(--sub alice)
	out=$(node "$JOSE/mint.mjs" "${def[@]}" "$@") && [ -n "$out" ] ||
		bail "mint.mjs failed for $var"
	printf -v "$var" '%s' "$out"
}

# with_kid VAR TOKEN KID: TOKEN with its header's kid replaced (the
# signature is left as it was, so it no longer verifies).
with_kid() {
	local out
	out=$(node -e '
		const [tok, kid] = process.argv.slice(1);
		const p = tok.split(".");
		const h = JSON.parse(Buffer.from(p[0], "base64url").toString());
		h.kid = kid;
		p[0] = Buffer.from(JSON.stringify(h)).toString("base64url");
		process.stdout.write(p.join("."));' "$2" "$3") && [ -n "$out" ] || bail "with_kid failed"
	printf -v "$1" '%s' "$out"
}

# with_kids ARRAY TOKEN KID...: ARRAY gets one such token per KID.
with_kids() {
	local arr=$1 tok=$2
	shift 2
	mapfile -t "$arr" < <(node -e '
		const [tok, ...kids] = process.argv.slice(1);
		const p = tok.split(".");
		const h = JSON.parse(Buffer.from(p[0], "base64url").toString());
		for (const kid of kids) {
			h.kid = kid;
			console.log([Buffer.from(JSON.stringify(h)).toString("base64url"), p[1], p[2]].join("."));
		}' "$tok" "$@")
	local -n ref=$arr
	[ "${#ref[@]}" -eq $# ] || bail "with_kids failed"
}

# with_header VAR TOKEN JSON: TOKEN with JSON merged into its header (the
# signature is left as it was).
with_header() {
	local out
	out=$(node -e '
		const [tok, add] = process.argv.slice(1);
		const p = tok.split(".");
		const h = { ...JSON.parse(Buffer.from(p[0], "base64url").toString()), ...JSON.parse(add) };
		p[0] = Buffer.from(JSON.stringify(h)).toString("base64url");
		process.stdout.write(p.join("."));' "$2" "$3") && [ -n "$out" ] || bail "with_header failed"
	printf -v "$1" '%s' "$out"
}

# token_kid TOKEN: the kid in the token's header.
token_kid() {
	node -e '
		const h = JSON.parse(Buffer.from(process.argv[1].split(".")[0], "base64url").toString());
		process.stdout.write(String(h.kid ?? ""));' "$1"
}

# ---- configs, caches, services -----------------------------------------------

# pk_conf FILE LINE...: a config file, root-owned, mode 0600.
pk_conf() {
	local f=$1 l
	shift
	{
		echo "# pam_jwt keys test"
		echo "fetch_helper = $top_builddir/pam_jwt/pam_jwt-fetch"
		for l in "$@"; do echo "$l"; done
	} >"$f"
	chmod 600 "$f"
}

# pk_newcache DIR: an empty cache directory, root-owned, mode 0700.
pk_newcache() {
	rm -rf "$1"
	mkdir -m 700 "$1"
}

# cache_binding ISSUER [JWKS_URI [CA_FILE [CA_DIR]]]: the name of a cache
# file (without .json) for that source: sha256 of the binding text.
cache_binding() {
	printf 'pam_jwt key cache v2\nissuer=%s\njwks_uri=%s\nca_file=%s\nca_dir=%s\n' \
		"$1" "${2-}" "${3-}" "${4-}" | sha256sum | cut -c1-64
}

# cache_file DIR ISSUER: the path of the issuer's one cache file in DIR
# (a path that does not exist when there is none; the test fails when
# there are several: use cache_binding then).
cache_file() {
	node -e '
		const fs = require("fs"), path = require("path");
		const [dir, iss] = process.argv.slice(1);
		let found = [];
		try {
			for (const f of fs.readdirSync(dir)) {
				if (!f.endsWith(".json")) continue;
				try {
					const c = JSON.parse(fs.readFileSync(path.join(dir, f), "utf8"));
					if (c.issuer === iss) found.push(path.join(dir, f));
				} catch (e) {}
			}
		} catch (e) {}
		if (found.length > 1) { console.error("several cache files for " + iss); process.exit(1); }
		process.stdout.write(found[0] ?? path.join(dir, "none-for-this-issuer.json"));' "$1" "$2" ||
		bail "cache_file: several cache files for $2 in $1"
}

# cache_kids DIR ISSUER: the kids in the issuer's cache file, sorted, on
# one line ("" when there is no file or no JWKS).
cache_kids() {
	local f
	f=$(cache_file "$1" "$2")
	[ -f "$f" ] || return 0
	node -e '
		const c = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
		process.stdout.write(((c.jwks ?? {}).keys ?? []).map((k) => k.kid).sort().join(" "));' "$f"
}

# cache_edit DIR ISSUER JS: run JS on the parsed cache file `c` and write
# it back in place (same inode, mode and owner): simulates time passing.
cache_edit() {
	local f
	f=$(cache_file "$1" "$2")
	node -e '
		const fs = require("fs");
		const c = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
		const now = Math.floor(Date.now() / 1000);
		eval(process.argv[2]);
		fs.writeFileSync(process.argv[1], JSON.stringify(c) + "\n");' "$f" "$3" ||
		bail "cache_edit failed"
}

# pk_service NAME CONF [ARG...]: a PAM service with pam_jwt alone.
pk_service() {
	local name=$1 c=$2
	shift 2
	# libpam lowercases service names: an upper-case file is never read
	[ "$name" = "${name,,}" ] || bail "PAM service names must be lower case: $name"
	echo "auth required $PK_MODULE config=$c $*" >"$PK_SVC/$name"
	chmod 644 "$PK_SVC/$name"
}

# ---- logins ------------------------------------------------------------------

# pk_redact: cut long base64url runs in stdin to a 12-character prefix.
pk_redact() {
	sed -E 's/([A-Za-z0-9_-]{12})[A-Za-z0-9_.\\-]{8,}/\1.../g'
}

# pt SERVICE USER TOKEN: pamtester authenticate under pam_wrapper and
# nss_wrapper, the token typed at the prompt.  Sets PT_OUT, PT_RC, PT_MS.
pt() {
	local t0
	t0=$(now_ms)
	PT_OUT=$(printf '%s\n' "$3" | env LD_PRELOAD="$PK_PAM_WRAPPER $PK_NSS_WRAPPER" \
		PAM_WRAPPER=1 PAM_WRAPPER_SERVICE_DIR="$PK_SVC" \
		NSS_WRAPPER_PASSWD="$T/passwd" NSS_WRAPPER_GROUP="$T/group" \
		pamtester -v "$1" "$2" authenticate 2>&1)
	PT_RC=$?
	PT_MS=$(($(now_ms) - t0))
}

_pt_diag() {
	diag "  pamtester exit $PT_RC after $PT_MS ms, output:"
	printf '%s\n' "$PT_OUT" | pk_redact | sed 's/^/#     /'
}

# pt_is_accepted NAME: the last pamtester run succeeded.
pt_is_accepted() {
	if [ "$PT_RC" -eq 0 ] && [[ $PT_OUT == *"$OK_TEXT"* ]]; then
		ok "$1" true
	else
		ok "$1" false
		_pt_diag
	fi
}

# pt_is_refused NAME TEXT: the last pamtester run failed with PAM error TEXT.
pt_is_refused() {
	if [ "$PT_RC" -ne 0 ] && [[ $PT_OUT != *"$OK_TEXT"* ]] &&
		[[ $PT_OUT == *"pamtester: $2"* ]]; then
		ok "$1" true
	else
		ok "$1" false
		diag "  want the PAM error: $2"
		_pt_diag
	fi
}

# pt_is_refused_any NAME: the last pamtester run failed (any PAM error).
pt_is_refused_any() {
	if [ "$PT_RC" -ne 0 ] && [[ $PT_OUT != *"$OK_TEXT"* ]] && [[ $PT_OUT == *"pamtester: "* ]]; then
		ok "$1" true
	else
		ok "$1" false
		_pt_diag
	fi
}

# login_ok NAME SERVICE USER TOKEN / login_refused NAME SERVICE USER TOKEN TEXT
login_ok() {
	pt "$2" "$3" "$4"
	pt_is_accepted "$1"
}

login_refused() {
	pt "$2" "$3" "$4"
	pt_is_refused "$1" "$5"
}

# vf CONF TOKEN [ARG...]: pam-jwt verify --config CONF; sets VF_OUT (the
# verdict and reason lines), VF_RC, VF_MS.
vf() {
	local c=$1 tok=$2 t0
	shift 2
	t0=$(now_ms)
	printf '%s\n' "$tok" | env LD_PRELOAD="$PK_NSS_WRAPPER" \
		NSS_WRAPPER_PASSWD="$T/passwd" NSS_WRAPPER_GROUP="$T/group" \
		"$PK_CLI" verify --config "$c" "$@" >"$T/vf.out" 2>&1
	VF_RC=$?
	VF_OUT=$(grep -E '^(verdict|reason|keys|user|pam-jwt)' "$T/vf.out")
	VF_MS=$(($(now_ms) - t0))
}

# vf_refused_like NAME REGEX: the last verify refused the token with a
# reason matching REGEX (extended).
vf_refused_like() {
	if [ "$VF_RC" -ne 0 ] && [[ $VF_OUT == *"verdict: refuse"* ]] &&
		printf '%s\n' "$VF_OUT" | grep '^reason: ' | grep -Eq -- "$2"; then
		ok "$1" true
		# PK_VERBOSE=1: show the reasons (e.g. to review them)
		[ -n "${PK_VERBOSE:-}" ] && printf '%s\n' "$VF_OUT" | grep '^reason: ' | pk_redact | sed 's/^/#     /'
	else
		ok "$1" false
		diag "  want a refusal whose reason matches: $2; pam-jwt verify exit $VF_RC:"
		printf '%s\n' "$VF_OUT" | pk_redact | sed 's/^/#     /'
	fi
}

# vf_refused_why NAME REGEX: the last verify refused the token, and its
# reason or its "keys:" note (what the module logs about the keys)
# matches REGEX.
vf_refused_why() {
	if [ "$VF_RC" -ne 0 ] && [[ $VF_OUT == *"verdict: refuse"* ]] &&
		printf '%s\n' "$VF_OUT" | grep -E '^(reason|keys): ' | grep -Eq -- "$2"; then
		ok "$1" true
		[ -n "${PK_VERBOSE:-}" ] && printf '%s\n' "$VF_OUT" | grep -E '^(reason|keys): ' | pk_redact | sed 's/^/#     /'
	else
		ok "$1" false
		diag "  want a refusal whose reason or keys note matches: $2; pam-jwt verify exit $VF_RC:"
		printf '%s\n' "$VF_OUT" | pk_redact | sed 's/^/#     /'
	fi
}

vf_accepted() {
	if [ "$VF_RC" -eq 0 ] && [[ $VF_OUT == *"verdict: accept"* ]]; then
		ok "$1" true
	else
		ok "$1" false
		diag "  pam-jwt verify exit $VF_RC:"
		printf '%s\n' "$VF_OUT" | pk_redact | sed 's/^/#     /'
	fi
}

# keys_cmd SUB CONF: pam-jwt keys SUB --config CONF; sets KC_OUT, KC_ERR, KC_RC.
keys_cmd() {
	KC_OUT=$("$PK_CLI" keys "$1" --config "$2" 2>"$T/kc.err")
	KC_RC=$?
	KC_ERR=$(cat "$T/kc.err")
}

# like NAME TEXT REGEX: TEXT matches the extended REGEX.
like() {
	if printf '%s\n' "$2" | grep -Eq -- "$3"; then
		ok "$1" true
	else
		ok "$1" false
		diag "  want a match for: $3; got:"
		printf '%s\n' "$2" | pk_redact | sed 's/^/#     /'
	fi
}

# below NAME VALUE LIMIT: VALUE < LIMIT (numbers).
below() {
	if [ "$2" -lt "$3" ]; then
		ok "$1" true
	else
		ok "$1" false
		diag "  got $2, want less than $3"
	fi
}
