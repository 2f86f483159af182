#!/bin/bash
# Control script of pam_jwt's test auth center (see README.md).
#
#   ac.sh start STATEDIR [--port N] [--alg RS256|ES256|EdDSA] [--ttl SECONDS]
#   ac.sh stop STATEDIR
#   ac.sh rotate STATEDIR [--keep-old]
#   ac.sh resource STATEDIR AUDIENCE [--alg ALG] [--ttl SECONDS] [--scope "S ..."]
#   ac.sh mint STATEDIR --user USER --audience AUD [--alg ALG] [--scope "S ..."] [--ttl SECONDS] [--json]
#   ac.sh robot STATEDIR --audience AUD [--alg ALG] [--scope "S ..."] [--ttl SECONDS] [--json]
#   ac.sh device-approve STATEDIR USER_CODE USER
#   ac.sh device-deny STATEDIR USER_CODE
#   ac.sh stats STATEDIR [--reset]
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CLI_ID=pam-jwt-cli
ROBOT_ID=robot-deploy
ROBOT_SECRET=robot-deploy-secret
DEVICE_GRANT=urn:ietf:params:oauth:grant-type:device_code

die() {
	echo "ac.sh: $*" >&2
	exit 1
}

usage() {
	sed -n '4,12s/^#   //p' "${BASH_SOURCE[0]}" >&2
	exit 2
}

# The value of a top-level string or number member of a flat JSON object
# (oidc-provider's answers are compact and their values need no escapes).
json_get() {
	sed -n "s/.*\"$1\":\"\{0,1\}\([^\",}]*\).*/\1/p"
}

# True when PID is a live (not zombie) process of our server.
alive() {
	local pid=$1 stat
	[ -n "$pid" ] && [ -r "/proc/$pid/stat" ] || return 1
	stat=$(sed 's/.*) //' "/proc/$pid/stat" 2>/dev/null) || return 1
	[ "${stat%% *}" != Z ] || return 1
	tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q 'server\.mjs serve'
}

# True while PID exists and is not a zombie (right after the fork it may
# still be the shell, before it has exec'd node).
running() {
	local pid=$1 stat
	[ -n "$pid" ] && [ -r "/proc/$pid/stat" ] || return 1
	stat=$(sed 's/.*) //' "/proc/$pid/stat" 2>/dev/null) || return 1
	[ "${stat%% *}" != Z ]
}

ac_curl() {
	curl -sS --cacert "$DIR/ca.pem" --max-time 10 "$@"
}

issuer() {
	[ -s "$DIR/issuer" ] || die "$DIR: not started"
	cat "$DIR/issuer"
}

# A test CA and a server certificate for 127.0.0.1, made once per state dir.
make_certs() {
	[ -s "$DIR/ca.pem" ] && [ -s "$DIR/server.pem" ] && [ -s "$DIR/server.key" ] && return
	(
		cd "$DIR"
		umask 077
		openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
			-keyout ca.key -out ca.pem -days 30 -subj "/CN=pam_jwt test CA" \
			-addext basicConstraints=critical,CA:TRUE \
			-addext keyUsage=critical,keyCertSign,cRLSign
		openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
			-keyout server.key -out server.csr -subj "/CN=127.0.0.1"
		printf '%s\n' subjectAltName=IP:127.0.0.1,DNS:localhost \
			basicConstraints=critical,CA:FALSE keyUsage=critical,digitalSignature \
			extendedKeyUsage=serverAuth >server.ext
		openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -days 30 \
			-set_serial "0x$(openssl rand -hex 8)" -extfile server.ext -out server.pem
		rm -f server.csr server.ext
		chmod 644 ca.pem server.pem
	) >>"$DIR/openssl.log" 2>&1 || die "openssl failed, see $DIR/openssl.log"
}

# Start the server on port $1 (0: any) with the options saved in start.args.
launch() {
	local port=$1 pid i args=()
	[ -d "$HERE/node_modules/oidc-provider" ] || die "run 'npm ci' in $HERE first"
	[ -s "$DIR/start.args" ] && mapfile -t args <"$DIR/start.args"
	rm -f "$DIR/port" "$DIR/issuer" "$DIR/pid"
	node "$HERE/server.mjs" serve "$DIR" --port "$port" "${args[@]}" \
		</dev/null >>"$DIR/server.log" 2>&1 &
	pid=$!
	echo "$pid" >"$DIR/pid"
	for ((i = 0; i < 200; i++)); do
		[ -s "$DIR/port" ] && break
		running "$pid" || die "server exited: $(tail -n 5 "$DIR/server.log")"
		sleep 0.05
	done
	[ -s "$DIR/port" ] || die "server did not start in 10 s"
	local iss
	iss="https://127.0.0.1:$(cat "$DIR/port")"
	# probe a control URL: it is not counted in the stats
	ac_curl -f -o /dev/null "$iss/_test/stats" || die "server at $iss does not answer"
	echo "$iss" >"$DIR/issuer"
	echo "$iss"
}

cmd_start() {
	local port=0 args=()
	while [ $# -gt 0 ]; do
		[ $# -ge 2 ] || usage
		case $1 in
		--port) port=$2 ;;
		--alg | --ttl) args+=("$1" "$2") ;;
		*) usage ;;
		esac
		shift 2
	done
	alive "$(cat "$DIR/pid" 2>/dev/null)" && die "$DIR: already running"
	make_certs
	: >"$DIR/start.args"
	[ ${#args[@]} -eq 0 ] || printf '%s\n' "${args[@]}" >"$DIR/start.args"
	launch "$port"
}

cmd_stop() {
	[ $# -eq 0 ] || usage
	local pid i
	pid=$(cat "$DIR/pid" 2>/dev/null) || return 0
	if alive "$pid"; then
		kill -TERM "$pid"
		for ((i = 0; i < 100; i++)); do
			alive "$pid" || break
			sleep 0.05
		done
		if alive "$pid"; then
			kill -KILL "$pid"
			while alive "$pid"; do sleep 0.05; done
		fi
	fi
	rm -f "$DIR/pid" "$DIR/issuer"
}

cmd_rotate() {
	local keep=()
	case ${1-} in
	"") ;;
	--keep-old) keep=(--keep-old) ;;
	*) usage ;;
	esac
	[ -s "$DIR/port" ] || die "$DIR: never started"
	local port
	port=$(cat "$DIR/port")
	cmd_stop
	node "$HERE/server.mjs" rotate-keys "$DIR" "${keep[@]}" >/dev/null
	launch "$port"
}

# Set how tokens for audience $1 are made: alg, ttl, extra scopes ("" = default).
set_resource() {
	ac_curl -f -o /dev/null -X PUT -G "$(issuer)/_test/resource" --data-urlencode "aud=$1" \
		--data-urlencode "alg=$2" --data-urlencode "ttl=$3" --data-urlencode "scope=$4" ||
		die "cannot configure audience $1 (alg '$2', ttl '$3')"
}

cmd_resource() {
	[ $# -ge 1 ] || usage
	local aud=$1 alg='' ttl='' scope=''
	shift
	while [ $# -gt 0 ]; do
		[ $# -ge 2 ] || usage
		case $1 in
		--alg) alg=$2 ;;
		--ttl) ttl=$2 ;;
		--scope) scope=$2 ;;
		*) usage ;;
		esac
		shift 2
	done
	set_resource "$aud" "$alg" "$ttl" "$scope"
}

# Open the verification page for user code $1 with the cookie jar $jar;
# sets iss and xsrf (the caller's locals).
device_form() {
	iss=$(issuer)
	trap 'rm -f "$DIR/cookies.$$"' EXIT
	page=$(ac_curl -c "$jar" -b "$jar" -G "$iss/device" --data-urlencode "user_code=$1")
	xsrf=$(sed -n 's/.*name="xsrf" value="\([^"]*\)".*/\1/p' <<<"$page")
	[ -n "$xsrf" ] || die "no device verification form"
}

# Play the person at the auth center: open the verification page, confirm,
# log in as USER (any name is accepted) and consent.
cmd_device_approve() {
	[ $# -eq 2 ] || usage
	local code=$1 user=$2 iss page xsrf url jar=$DIR/cookies.$$
	device_form "$code"
	ac_curl -c "$jar" -b "$jar" -o /dev/null "$iss/device" \
		-d "xsrf=$xsrf" --data-urlencode "user_code=$code"
	url=$(ac_curl -c "$jar" -b "$jar" -o /dev/null -w '%{redirect_url}' "$iss/device" \
		-d "xsrf=$xsrf" --data-urlencode "user_code=$code" -d confirm=yes)
	[[ $url == "$iss/interaction/"* ]] || die "user code $code was not accepted"
	url=$(ac_curl -c "$jar" -b "$jar" -L -o /dev/null -w '%{url_effective}' "$url" \
		-d prompt=login --data-urlencode "login=$user" -d password=x)
	[[ $url == "$iss/interaction/"* ]] || die "login as $user did not lead to consent"
	page=$(ac_curl -c "$jar" -b "$jar" -L "$url" -d prompt=consent)
	grep -q 'Sign-in Success' <<<"$page" || die "device approval failed"
	rm -f "$jar"
}

# Play the person who presses Abort on the verification page instead.
cmd_device_deny() {
	[ $# -eq 1 ] || usage
	local code=$1 iss page xsrf jar=$DIR/cookies.$$
	device_form "$code"
	ac_curl -c "$jar" -b "$jar" -o /dev/null "$iss/device" \
		-d "xsrf=$xsrf" --data-urlencode "user_code=$code" -d abort=yes
	rm -f "$jar"
}

# Options shared by mint and robot; sets USER AUD ALG SCOPE TTL JSON.
parse_token_opts() {
	USER_='' AUD='' ALG='' SCOPE='' TTL='' JSON=''
	while [ $# -gt 0 ]; do
		case $1 in
		--json) JSON=1; shift; continue ;;
		--user | --audience | --alg | --scope | --ttl) [ $# -ge 2 ] || usage ;;
		*) usage ;;
		esac
		case $1 in
		--user) USER_=$2 ;;
		--audience) AUD=$2 ;;
		--alg) ALG=$2 ;;
		--scope) SCOPE=$2 ;;
		--ttl) TTL=$2 ;;
		esac
		shift 2
	done
	[ -n "$AUD" ] || usage
}

print_token() {
	local token
	token=$(json_get access_token <<<"$1")
	[ -n "$token" ] || die "token request failed: $1"
	if [ -n "$JSON" ]; then echo "$1"; else echo "$token"; fi
}

cmd_mint() {
	parse_token_opts "$@"
	[ -n "$USER_" ] || usage
	local iss resp device_code user_code
	iss=$(issuer)
	set_resource "$AUD" "$ALG" "$TTL" "$SCOPE"
	resp=$(ac_curl "$iss/device/auth" -d "client_id=$CLI_ID" \
		--data-urlencode "scope=openid offline_access $SCOPE" --data-urlencode "resource=$AUD")
	device_code=$(json_get device_code <<<"$resp")
	user_code=$(json_get user_code <<<"$resp")
	if [ -z "$device_code" ] || [ -z "$user_code" ]; then
		die "device authorization failed: $resp"
	fi
	cmd_device_approve "$user_code" "$USER_"
	resp=$(ac_curl "$iss/token" -d "grant_type=$DEVICE_GRANT" -d "client_id=$CLI_ID" \
		--data-urlencode "device_code=$device_code" --data-urlencode "resource=$AUD")
	print_token "$resp"
}

cmd_robot() {
	parse_token_opts "$@"
	[ -z "$USER_" ] || usage
	local iss resp
	iss=$(issuer)
	set_resource "$AUD" "$ALG" "$TTL" "$SCOPE"
	resp=$(ac_curl "$iss/token" -u "$ROBOT_ID:$ROBOT_SECRET" -d grant_type=client_credentials \
		--data-urlencode "resource=$AUD" ${SCOPE:+--data-urlencode "scope=$SCOPE"})
	print_token "$resp"
}

cmd_stats() {
	case ${1-} in
	"") ac_curl -f "$(issuer)/_test/stats" ;;
	--reset) ac_curl -f -o /dev/null -X DELETE "$(issuer)/_test/stats" ;;
	*) usage ;;
	esac
}

[ $# -ge 2 ] || usage
CMD=$1
DIR=$2
shift 2
[ "$CMD" = start ] && mkdir -p "$DIR"
[ -d "$DIR" ] || die "$DIR: no such state directory"
DIR=$(cd "$DIR" && pwd)

case $CMD in
start) cmd_start "$@" ;;
stop) cmd_stop "$@" ;;
rotate) cmd_rotate "$@" ;;
resource) cmd_resource "$@" ;;
mint) cmd_mint "$@" ;;
robot) cmd_robot "$@" ;;
device-approve) cmd_device_approve "$@" ;;
device-deny) cmd_device_deny "$@" ;;
stats) cmd_stats "$@" ;;
*) usage ;;
esac
