#!/bin/bash
# Configuration errors fail closed: a good token is refused with
# PAM_AUTHINFO_UNAVAIL ("Authentication service cannot retrieve
# authentication info") when the config or a key file is wrong, unsafe
# or missing; `pam-jwt verify` says "configuration error" (exit 2) for
# the same config, and the module logs why.
set -u
. "$top_srcdir/tests/integration/common.sh"
pj_require_built
pj_require_node
pj_require_pamtester
pj_require_drive
pj_setup
pj_keys

K=$T/keys
mint good --key "$K/rsa.priv.pem" --alg RS256
mint goodkid --key "$K/rsa.priv.pem" --alg RS256 --kid rsa-kid
mint goodhs --alg HS256 --secret-file "$K/hmac.secret"

# Control: the base config accepts the token.
jwt_service base "$(conf base "key_file = $K/rsa.pub.pem")"
accept_typed "control: the base config accepts a good token" base alice "$good"

# config_refused NAME SERVICE TOKEN LOG-REGEX: pamtester gets
# PAM_AUTHINFO_UNAVAIL, the CLI exits 2, the module logs LOG-REGEX.
config_refused() {
	local name=$1 svc=$2 token=$3 re=$4
	pt_token "$svc" alice "$token"
	pt_is_refused "$name" "$E_UNAVAIL"
	cli_agrees "$name" "$svc" alice "$token" "$(pt_accepted)"
	is "cli exit 2 (configuration error): $name" "$CLI_RC" 2
	log_mark
	drive "$svc" alice "$token"
	log_has "logs why: $name" "$re"
}

# case_conf NAME TOKEN LOG-REGEX LINE...: a config file with LINEs.
case_conf() {
	local name=$1 token=$2 re=$3 svc
	shift 3
	svc=c$((++n_case))
	jwt_service "$svc" "$(conf "$svc" "$@")"
	config_refused "$name" "$svc" "$token" "$re"
}
n_case=0
KEY="key_file = $K/rsa.pub.pem"
CFGERR="configuration error, refusing: "

# ---- options -----------------------------------------------------------
case_conf "unknown option in the config file" "$good" "$CFGERR.*unknown option \"frobnicate\"" \
	"$KEY" "frobnicate = yes"
case_conf "misspelt option (audiences)" "$good" "${CFGERR}.*unknown option" \
	"$KEY" "audiences = x"
case_conf "line without =" "$good" "${CFGERR}.*expected" "$KEY" "debug"
case_conf "malformed duration: leeway = soon" "$good" "${CFGERR}.*leeway" "$KEY" "leeway = soon"
case_conf "duration out of range: leeway = 2d" "$good" "${CFGERR}.*leeway" "$KEY" "leeway = 2d"
case_conf "negative duration: leeway = -5" "$good" "${CFGERR}.*leeway" "$KEY" "leeway = -5"
case_conf "size out of range: max_token_size = 10" "$good" "${CFGERR}.*max_token_size" \
	"$KEY" "max_token_size = 10"
case_conf "size with a unit: max_token_size = 4k" "$good" "${CFGERR}.*max_token_size" \
	"$KEY" "max_token_size = 4k"
case_conf "flag with a bad value: require_exp = maybe" "$good" "${CFGERR}.*require_exp" \
	"$KEY" "require_exp = maybe"
case_conf "algorithms = none" "$good" "${CFGERR}.*algorithms" "$KEY" "algorithms = none"
case_conf "algorithms with an unknown name" "$good" "${CFGERR}.*algorithms" \
	"$KEY" "algorithms = RS256,XS256"
case_conf "option without a value (audience =)" "$good" "${CFGERR}.*audience" \
	"$KEY" "audience ="
case_conf "no key configured" "$good" "${CFGERR}.*no key"

# Module arguments go through the same table; they beat a good file.
jwt_service arg-unknown "$T/conf/base.conf" frobnicate=1
config_refused "unknown module argument" arg-unknown "$good" "${CFGERR}.*unknown option"
jwt_service arg-bad "$T/conf/base.conf" leeway=forever
config_refused "malformed module argument leeway=forever" arg-bad "$good" "${CFGERR}.*leeway"

# A config file with a NUL byte.
jwt_service nul "$(conf nul "$KEY")"
printf 'debug = no\0\n' >>"$T/conf/nul.conf"
config_refused "config file with a NUL byte" nul "$good" "${CFGERR}.*NUL"

# No issuer at all.
f=$T/conf/noiss.conf
printf 'audience = %s\nkey_file = %s\n' "$PJ_AUD" "$K/rsa.pub.pem" >"$f"
jwt_service noiss "$f"
config_refused "no issuer configured" noiss "$good" "${CFGERR}.*issuer"

# ---- the config file itself ---------------------------------------------
jwt_service missing "$T/conf/does-not-exist.conf"
config_refused "config file missing" missing "$good" "${CFGERR}.*does-not-exist"

jwt_service ww "$(conf ww "$KEY")"
chmod 666 "$T/conf/ww.conf"
config_refused "world-writable config file" ww "$good" "${CFGERR}.*writable"

jwt_service gw "$(conf gw "$KEY")"
chmod 620 "$T/conf/gw.conf"
config_refused "group-writable config file" gw "$good" "${CFGERR}.*writable"

# config= with a relative path names a file in the caller's working
# directory (su keeps the caller's): refused, even where it would resolve
# to a good file.
jwt_service relative conf/base.conf
pushd "$T" >/dev/null || exit 1
config_refused "config= with a relative path (opened in the caller's directory)" relative \
	"$good" "${CFGERR}.*absolute path"
popd >/dev/null || exit 1

ln -s "$T/conf/base.conf" "$T/conf/link.conf"
jwt_service link "$T/conf/link.conf"
config_refused "config file is a symbolic link" link "$good" "${CFGERR}.*symbolic link"

mkdir "$T/conf/dir.conf"
jwt_service dir "$T/conf/dir.conf"
config_refused "config file is a directory" dir "$good" "${CFGERR}.*not a regular file"

if [ "$(id -u)" -eq 0 ]; then
	jwt_service owner "$(conf owner "$KEY")"
	chown 65534 "$T/conf/owner.conf"
	config_refused "config file owned by another user" owner "$good" "${CFGERR}.*not owned by root"
else
	diag "not root: the foreign-owner case needs chown, skipped"
fi

# ---- key files -------------------------------------------------------------
# Keys are read when a token arrives; the module then logs the reason as
# "refused token for user=...: config|unavailable: ...".
REFUSED="refused token for user=\"alice\": (config|unavailable): "

cp "$K/rsa.pub.pem" "$K/ww.pub.pem" && chmod 666 "$K/ww.pub.pem"
case_conf "world-writable key_file" "$good" "$REFUSED.*writable" "key_file = $K/ww.pub.pem"
cp "$K/jwks.json" "$K/gw.jwks" && chmod 664 "$K/gw.jwks"
case_conf "group-writable jwks_file" "$goodkid" "$REFUSED.*writable" "jwks_file = $K/gw.jwks"
cp "$K/hmac.secret" "$K/ww.secret" && chmod 606 "$K/ww.secret"
case_conf "world-writable hmac_secret_file" "$goodhs" "$REFUSED.*(writable|readable)" \
	"hmac_secret_file = $K/ww.secret"
case_conf "missing key_file" "$good" "$REFUSED.*cannot open" "key_file = $K/nope.pub.pem"
case_conf "missing jwks_file" "$goodkid" "$REFUSED.*cannot open" "jwks_file = $K/nope.jwks"
case_conf "missing hmac_secret_file" "$goodhs" "$REFUSED.*cannot open" \
	"hmac_secret_file = $K/nope.secret"
# One bad key file among good ones still fails the whole load.
case_conf "a good key_file and a missing one" "$good" "$REFUSED.*cannot open" \
	"$KEY" "key_file = $K/nope.pub.pem"
ln -s "$K/rsa.pub.pem" "$K/link.pub.pem"
case_conf "key_file is a symbolic link" "$good" "$REFUSED.*symbolic link" \
	"key_file = $K/link.pub.pem"
head -c 16 /dev/urandom >"$K/short.secret"
chmod 600 "$K/short.secret"
case_conf "hmac secret shorter than 32 bytes" "$goodhs" "$REFUSED.*shorter" \
	"hmac_secret_file = $K/short.secret"
cp "$K/hmac.secret" "$K/readable.secret"
chmod 644 "$K/readable.secret"
case_conf "hmac secret readable by others (anyone could sign)" "$goodhs" \
	"$REFUSED.*holds a secret and is readable" "hmac_secret_file = $K/readable.secret"
# A directory others can write that holds a symlink to a safe directory:
# the link could be repointed, so the path is refused as written.
mkdir -m 777 "$T/open" && mkdir -m 755 "$T/safe" && cp "$K/rsa.pub.pem" "$T/safe/" &&
	ln -s "$T/safe" "$T/open/link"
case_conf "key_file through a symlink in a directory others can write" "$good" \
	"$REFUSED.*writable by others" "key_file = $T/open/link/rsa.pub.pem"
case_conf "key_file holds a private key" "$good" "$REFUSED.*PEM public key" \
	"key_file = $K/rsa.priv.pem"
node "$JOSE/keygen.mjs" RS256 "$K/weak" --bits 1024 --quiet || { echo "Bail out! keygen"; exit 1; }
chmod 644 "$K/weak.pub.pem"
mint weak --key "$K/weak.priv.pem" --alg RS256
case_conf "RSA key of 1024 bits" "$weak" "$REFUSED.*1024 bits" "key_file = $K/weak.pub.pem"

# ---- fail closed for a password too ----------------------------------------
# A broken config is not "not my business": pam_jwt must not return
# PAM_IGNORE (pam_permit would then let the password in).
service probe-broken "$(jwt_line '[success=done ignore=ignore default=die]' \
	"$T/conf/c1.conf")" "auth required $PJ_SECDIR/pam_permit.so"
pt probe-broken alice <<<"some-password"
pt_is_refused "broken config file: a password is not PAM_IGNORE" "$E_UNAVAIL"

check_log_clean "no token, token part or signature in the module's log"

done_testing
