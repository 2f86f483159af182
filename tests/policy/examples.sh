#!/bin/bash
# Every file in examples/ is checked, so none can rot:
#   - every pam_jwt configuration (*.conf outside sshd_config.d/) parses
#     with pam_jwt's own parser (`pam-jwt check`), and checks fully with
#     the test key and the example mapping file it names;
#   - every mapping file (*.map) parses (through a temporary config);
#   - each auth center's configuration accepts a token shaped like that
#     auth center's, mapped to the expected account, and refuses a near
#     miss for the reason it is about;
#   - every PAM stack in examples/pam.d/ names modules that exist, valid
#     controls and jumps, pam_jwt options the parser accepts, and works
#     through pamtester (pam_wrapper) with tokens (and, as root, with
#     passwords through the real pam_unix);
#   - the sshd_config snippet is accepted by sshd -T;
#   - the pam-auth-update profile has the fields pam-auth-update knows and,
#     as root, pam-auth-update --root (in a private mount namespace) writes
#     a common-auth that takes both tokens and passwords at one prompt.
set -u
. "$top_srcdir/tests/policy/common.sh"
pol_require
pol_setup

EX=$top_srcdir/examples
[ -d "$EX" ] || skip_all "no examples directory"
mkdir -p "$T/ex"
IS_ROOT=0
[ "$(id -u)" = 0 ] && IS_ROOT=1
echo "monitor:x:1005:1005:Monitoring robot:/var/lib/monitor:/bin/sh" >>"$T/passwd"
echo "monitor:x:1005:" >>"$T/group"
# The auth centers sign with RS256 (their configurations allow little
# else): an RSA test key, in the JWKS next to the EdDSA one.
node "$JOSE/keygen.mjs" RS256 "$T/keys/rsa" --kid rsa-1 --quiet || { echo "Bail out! keygen failed"; exit 1; }
node "$JOSE/jwks.mjs" "$T/keys/idp.pub.jwk" "$T/keys/rsa.pub.jwk" >"$T/keys/both.jwks" ||
	{ echo "Bail out! jwks failed"; exit 1; }
chmod 644 "$T/keys/both.jwks"
JWKS=$T/keys/both.jwks
MINT_KEY=$T/keys/rsa.priv.jwk MINT_ALG=RS256 MINT_KID=rsa-1

# copy SRC: a private copy (mode 600, owned by us) that the safe-file
# checks accept whatever the checkout's modes; prints its path.
copy() {
	local src=$1 dst
	dst=$T/ex/$(printf '%s' "${src#"$EX"/}" | tr '/' '_')
	cp "$src" "$dst" && chmod 600 "$dst"
	echo "$dst"
}

# check_rc NAME WANT CMD...: CMD exits WANT; shows its output if not.
check_rc() {
	local name=$1 want=$2 out rc
	shift 2
	out=$("$@" 2>&1)
	rc=$?
	if [ "$rc" -eq "$want" ]; then
		ok "$name" true
	else
		ok "$name" false
		diag "  want exit $want, got $rc:"
		printf '%s\n' "$out" | pol_redact | sed 's/^/#     /'
	fi
}

check() {
	env LD_PRELOAD="$NSS_WRAPPER_LIB" NSS_WRAPPER_PASSWD="$T/passwd" \
		NSS_WRAPPER_GROUP="$T/group" "$CLI" check "$@"
}

# conf_get FILE KEY [SECTION]: the value of KEY in the global part of a
# pam_jwt configuration, or in [SECTION].
conf_get() {
	awk -v key="$2" -v want="${3:-}" '
		/^[ \t]*#/ { next }
		/^[ \t]*\[.*\][ \t]*$/ { s = $0; gsub(/^[ \t]*\[|\][ \t]*$/, "", s); sec = s; next }
		{
			line = $0
			if (sec != want) next
			i = index(line, "=")
			if (i == 0) next
			k = substr(line, 1, i - 1); v = substr(line, i + 1)
			gsub(/^[ \t]+|[ \t]+$/, "", k); gsub(/^[ \t]+|[ \t]+$/, "", v)
			if (k == key) { print v; exit }
		}' "$1"
}

# ---- 1. pam_jwt configurations -----------------------------------------------
mapfile -t CONFS < <(find "$EX" -name '*.conf' -not -path '*/sshd_config.d/*' | sort)
[ "${#CONFS[@]}" -gt 0 ] || { echo "Bail out! no example configurations found"; exit 1; }
declare -A COPY=()
for f in "${CONFS[@]}"; do
	rel=${f#"$EX"/}
	c=$(copy "$f")
	COPY[$rel]=$c
	check_rc "config parses: $rel" 0 check --syntax --config "$c"
	# The options shown commented out ("#name = value") parse too.
	if grep -qE '^#[a-z_]+ = ' "$c"; then
		sed -E 's/^#([a-z_]+ = )/\1/' "$c" >"$c.all"
		chmod 600 "$c.all"
		check_rc "config parses with its commented-out options: $rel" 0 check --syntax --config "$c.all"
	fi
	args=(jwks_file="$JWKS")
	m=$(conf_get "$c" map_file)
	if [ -n "$m" ]; then
		src=$(dirname "$f")/$(basename "$m")
		if [ -f "$src" ]; then
			args+=(map_file="$(copy "$src")")
		else
			ok "config $rel: its map_file $(basename "$m") is among the examples" false
		fi
	fi
	check_rc "config checks with the test key${m:+ and its mapping file}: $rel" 0 \
		check --config "$c" "${args[@]}"
done

# ---- 2. mapping files ---------------------------------------------------------------
mapfile -t MAPS < <(find "$EX" -name '*.map' | sort)
for f in "${MAPS[@]}"; do
	rel=${f#"$EX"/}
	m=$(copy "$f")
	printf 'issuer = https://idp.invalid\naudience = x\nmap_file = %s\n' "$m" >"$T/ex/mapcheck.conf"
	chmod 600 "$T/ex/mapcheck.conf"
	check_rc "mapping file parses: $rel" 0 check --config "$T/ex/mapcheck.conf"
done
# The check can fail: a copy with a broken line at the end is refused.
m=$(copy "$EX/accounts.map")
n=$(($(wc -l <"$m") + 1))
echo "groups=admins root" >>"$m"
printf 'issuer = https://idp.invalid\naudience = x\nmap_file = %s\n' "$m" >"$T/ex/mapcheck.conf"
out=$(check --config "$T/ex/mapcheck.conf" 2>&1)
rc=$?
is "control: a broken line appended to accounts.map is refused (exit 2)" "$rc" 2
ok "control: the error names the line ($n)" grep -q "accounts.map:$n:" <<<"$out"

# ---- 3. auth centers: realistic tokens -------------------------------------------------
# verify_as NAME CONF USER SERVICE TOKEN [ARGS]: accepted as USER.
verify_as() {
	local name=$1 c=$2 user=$3 svc=$4 token=$5
	shift 5
	local -a a=(jwks_file="$JWKS")
	local m
	m=$(conf_get "$c" map_file)
	[ -z "$m" ] || a+=(map_file="$T/ex/auth-centers_$(basename "$m")")
	cli_verify "$token" --config "$c" --user "$user" --service "$svc" "${a[@]}" "$@"
	if [ "$CLI_RC" -eq 0 ] && grep -qx "user: $user" <<<"$CLI_OUT"; then
		ok "$name" true
	else
		ok "$name" false
		diag "  want accepted as $user, got exit $CLI_RC:"
		printf '%s\n' "$CLI_OUT" | grep -E '^(verdict|reason|user|mapping|pam-jwt)' |
			pol_redact | sed 's/^/#     /'
	fi
}

# refuse_for NAME CONF USER SERVICE TOKEN REGEX [ARGS]: refused with that
# reason.
refuse_for() {
	local name=$1 c=$2 user=$3 svc=$4 token=$5 re=$6
	shift 6
	local -a a=(jwks_file="$JWKS")
	local m
	m=$(conf_get "$c" map_file)
	[ -z "$m" ] || a+=(map_file="$T/ex/auth-centers_$(basename "$m")")
	cli_reason "$name" "$token" "$re" --config "$c" --user "$user" --service "$svc" "${a[@]}" "$@"
}

now=$(date +%s)
mintx() { mint "$@"; } # tokens here always give --iss, --aud and --sub

# pam_jwt.conf, the commented main example
c=${COPY[pam_jwt.conf]}
mintx t --iss "$(conf_get "$c" issuer)" --aud "$(conf_get "$c" audience)" --sub alice
verify_as "pam_jwt.conf: a token for alice" "$c" alice sshd "$t"

# Keycloak
c=${COPY[auth-centers/keycloak.conf]}
KC_ISS=$(conf_get "$c" issuer)
KC_AUD=$(conf_get "$c" audience)
mintx t --iss "$KC_ISS" --aud "$KC_AUD" --aud account --sub 5f2c4b1e-8d0a-4c55-9d1b-2f1f0c6a7e21 \
	--claims "{\"auth_time\":$now,\"jti\":\"onrtac:6f1e\",\"typ\":\"Bearer\",\"azp\":\"pam-jwt-cli\",
	\"sid\":\"b1c2\",\"acr\":\"1\",\"scope\":\"openid profile email\",\"email_verified\":true,
	\"preferred_username\":\"alice\",\"email\":\"alice@example.com\",\"groups\":[\"admins\",\"devs\"],
	\"realm_access\":{\"roles\":[\"default-roles-corp\"]}}"
verify_as "keycloak: access token -> alice (preferred_username)" "$c" alice sshd "$t"
mintx t --iss "$KC_ISS" --aud pam-jwt-cli --sub 5f2c4b1e-8d0a-4c55-9d1b-2f1f0c6a7e21 \
	--claims '{"typ":"ID","azp":"pam-jwt-cli","preferred_username":"alice"}'
refuse_for "keycloak: ID token (aud = client id) refused" "$c" alice sshd "$t" 'audience: '
# Keycloak writes its header with spaces around the colons, and lists an
# encryption key (use enc, alg RSA-OAEP) in its JWKS next to the signing
# keys: the header is JSON like any other, the enc key is left out.
mintx t --iss "$KC_ISS" --aud "$KC_AUD" --sub 5f2c4b1e-8d0a-4c55-9d1b-2f1f0c6a7e21 \
	--claims '{"typ":"Bearer","azp":"pam-jwt-cli","preferred_username":"alice"}'
kc_h=$(printf '{"alg":"RS256","typ" : "JWT","kid" : "rsa-1"}' | node "$JOSE/b64url.mjs")
kc_p=${t#*.}
kc_p=${kc_p%%.*}
kc_s=$(printf '%s.%s' "$kc_h" "$kc_p" | node "$JOSE/sign-raw.mjs" --alg RS256 --key "$MINT_KEY") ||
	{ echo "Bail out! sign-raw failed"; exit 1; }
verify_as "keycloak: header with spaces (\"typ\" : \"JWT\") accepted" "$c" alice sshd "$kc_h.$kc_p.$kc_s"
node "$JOSE/keygen.mjs" RS256 "$T/keys/kcenc" --kid kc-enc --use enc --quiet ||
	{ echo "Bail out! keygen failed"; exit 1; }
sed 's/"use": *"enc"/"use":"enc","alg":"RSA-OAEP"/' "$T/keys/kcenc.pub.jwk" >"$T/keys/kcenc.oaep.jwk"
grep -q '"alg":"RSA-OAEP"' "$T/keys/kcenc.oaep.jwk" || { echo "Bail out! no enc key"; exit 1; }
node "$JOSE/jwks.mjs" "$T/keys/kcenc.oaep.jwk" "$T/keys/rsa.pub.jwk" >"$T/keys/kc.jwks" ||
	{ echo "Bail out! jwks failed"; exit 1; }
chmod 644 "$T/keys/kc.jwks"
verify_as "keycloak: JWKS with a use enc key: the token of the sig key accepted" "$c" alice sshd \
	"$kc_h.$kc_p.$kc_s" jwks_file="$T/keys/kc.jwks"
t=$(node "$JOSE/mint.mjs" --key "$T/keys/kcenc.priv.jwk" --alg RS256 --kid kc-enc --iss "$KC_ISS" \
	--aud "$KC_AUD" --sub 5f2c --claims '{"preferred_username":"alice"}') || { echo "Bail out! mint"; exit 1; }
refuse_for "keycloak: a token signed with the use enc key refused" "$c" alice sshd "$t" 'key: ' \
	jwks_file="$T/keys/kc.jwks"

# Entra ID
c=${COPY[auth-centers/entra-id.conf]}
EN_ISS=$(conf_get "$c" issuer)
EN_AUD=$(conf_get "$c" audience)
ENTRA='"azp":"04b07795-8ddb-461a-bbee-02f9e1bf7b46","azpacr":"0","name":"Alice Example",
 "oid":"690222be-ff1a-4d56-abd1-7e4f7d38e474","preferred_username":"Alice@contoso.com",
 "roles":["Linux.Admin"],"tid":"72f988bf-86f1-41af-91ab-2d7cd011db47","ver":"2.0","uti":"x","rh":"0.A"'
mintx t --iss "$EN_ISS" --aud "$EN_AUD" --sub l3_roISQU222bULS9yi2k0XpqpOiMz5H3ZACo1GeXA \
	--nbf-in 0 --exp-in 4500 --claims "{$ENTRA,\"scp\":\"Host.Login\"}"
verify_as "entra-id: v2.0 access token -> alice (UPN, suffix, lower case)" "$c" alice sshd "$t"
mintx t --iss "$EN_ISS" --aud "$EN_AUD" --sub l3_roISQU222bULS9yi2k0XpqpOiMz5H3ZACo1GeXA \
	--claims "{$ENTRA,\"scp\":\"User.Read\"}"
refuse_for "entra-id: token without the Host.Login scope refused" "$c" alice sshd "$t" \
	'claim: require scp=Host.Login'
mintx t --iss https://sts.windows.net/72f988bf-86f1-41af-91ab-2d7cd011db47/ --aud "$EN_AUD" \
	--sub x --claims "{$ENTRA,\"scp\":\"Host.Login\"}"
refuse_for "entra-id: v1.0 token (sts.windows.net issuer) refused" "$c" alice sshd "$t" 'issuer: '
verify_as "entra-id: sudo line's require=roles=Linux.Admin holds" "$c" alice sudo \
	"$(node "$JOSE/mint.mjs" --key "$MINT_KEY" --alg RS256 --kid rsa-1 --iss "$EN_ISS" \
		--aud "$EN_AUD" --sub s --claims "{$ENTRA,\"scp\":\"Host.Login\"}")" require=roles=Linux.Admin
# The UPN comes in any letter case (tenants synced from an on-premises
# directory often have upper-case ones): the suffix compares like the
# domain it is, then the name is lower-cased.
for upn in ALICE@CONTOSO.COM alice@contoso.com Alice@Contoso.Com aLiCe@CONTOSO.com alice@CONTOSO.COM; do
	mintx t --iss "$EN_ISS" --aud "$EN_AUD" --sub l3_roISQU222bULS9yi2k0XpqpOiMz5H3ZACo1GeXA \
		--claims "{$ENTRA,\"scp\":\"Host.Login\",\"preferred_username\":\"$upn\"}"
	verify_as "entra-id: UPN $upn -> alice" "$c" alice sshd "$t"
done
for upn in alice@contoso.com.evil.org alice@evil-contoso.com ALICE@CONTOSO.CO alice; do
	mintx t --iss "$EN_ISS" --aud "$EN_AUD" --sub l3_roISQU222bULS9yi2k0XpqpOiMz5H3ZACo1GeXA \
		--claims "{$ENTRA,\"scp\":\"Host.Login\",\"preferred_username\":\"$upn\"}"
	refuse_for "entra-id: UPN $upn refused (not the tenant's domain)" "$c" alice sshd "$t" \
		'user: .*does not end in @contoso.com'
done
mintx t --iss "$EN_ISS" --aud "$EN_AUD" --sub l3_roISQU222bULS9yi2k0XpqpOiMz5H3ZACo1GeXA \
	--claims "{$ENTRA,\"scp\":\"Host.Login\",\"preferred_username\":\"ROOT@CONTOSO.COM\"}"
refuse_for "entra-id: UPN ROOT@CONTOSO.COM never becomes root" "$c" root sshd "$t" \
	'user: account "root" has UID 0'
# A user in 200 groups (Entra's most in a JWT; more become an overage
# claim): about 12 KB, under the default max_token_size of 16 KiB.
groups=$(for i in $(seq 1 200); do printf '"%08x-1c2d-4e5f-8a9b-%012x",' "$i" "$((i * 7919))"; done)
mintx t --iss "$EN_ISS" --aud "$EN_AUD" --sub l3_roISQU222bULS9yi2k0XpqpOiMz5H3ZACo1GeXA \
	--claims "{$ENTRA,\"scp\":\"Host.Login\",\"groups\":[${groups%,}]}"
ok "entra-id: the 200-group token is 11-16 KB (${#t} bytes)" \
	eval '[ "${#t}" -gt 11000 ] && [ "${#t}" -lt 16384 ]'
verify_as "entra-id: a user in 200 groups -> alice (default max_token_size)" "$c" alice sshd "$t"

# Okta
c=${COPY[auth-centers/okta.conf]}
OK_ISS=$(conf_get "$c" issuer)
OK_AUD=$(conf_get "$c" audience)
OKTA='"ver":1,"jti":"AT.e2B1mYsaYC2pQU6VvuP4j6SHq6Q0ppWjCW3wr0Zd5kE","cid":"0oa1b2c3d4e5f6g7h8i9",
 "uid":"00u1b2c3d4e5f6g7h8i9","auth_time":'$now',"groups":["Everyone","linux-admins"]'
mintx t --iss "$OK_ISS" --aud "$OK_AUD" --sub Alice@example.com --exp-in 3600 \
	--claims "{$OKTA,\"scp\":[\"openid\",\"ssh\"]}"
verify_as "okta: access token -> alice (sub, suffix, lower case)" "$c" alice sshd "$t"
verify_as "okta: sudo line's require=groups=linux-admins holds" "$c" alice sudo "$t" \
	require=groups=linux-admins
mintx t --iss "$OK_ISS" --aud "$OK_AUD" --sub Alice@example.com --claims "{$OKTA,\"scp\":[\"openid\"]}"
refuse_for "okta: token without the ssh scope refused" "$c" alice sshd "$t" 'claim: require scp=ssh'
mintx t --iss "${OK_ISS%/oauth2/*}" --aud "$OK_AUD" --sub Alice@example.com \
	--claims "{$OKTA,\"scp\":[\"openid\",\"ssh\"]}"
refuse_for "okta: org authorization server token refused" "$c" alice sshd "$t" 'issuer: '

# Dex
c=${COPY[auth-centers/dex.conf]}
DX_ISS=$(conf_get "$c" issuer)
DX_AUD=$(conf_get "$c" audience)
DEX='"azp":"pam-jwt-cli","at_hash":"x","email_verified":true,"groups":["admins","devs"],
 "name":"Alice Example","preferred_username":"alice"'
mintx t --iss "$DX_ISS" --aud "$DX_AUD" --sub CgVhbGljZRIEbGRhcA --exp-in 86400 \
	--claims "{$DEX,\"email\":\"alice@example.com\"}"
verify_as "dex: ID token for this host's client -> alice (e-mail)" "$c" alice sshd "$t"
mintx t --iss "$DX_ISS" --aud "$DX_AUD" --sub CgVhbGljZRIEbGRhcA --claims "{$DEX,\"email\":\"alice@gmail.com\"}"
refuse_for "dex: e-mail outside the company domain refused" "$c" alice sshd "$t" 'user: .*does not end in'
mintx t --iss "$DX_ISS" --aud "$DX_AUD" --sub CgVhbGljZRIEbGRhcA --iat-in -46800 --exp-in 39600 \
	--claims "{$DEX,\"email\":\"alice@example.com\"}"
refuse_for "dex: 13-hour-old token refused (max_age 12h)" "$c" alice sshd "$t" 'expired: .*max_age'
mintx t --iss "$DX_ISS" --aud pam-jwt-cli --sub CgVhbGljZRIEbGRhcA --claims "{$DEX,\"email\":\"alice@example.com\"}"
refuse_for "dex: the helper's own ID token (aud pam-jwt-cli) refused" "$c" alice sshd "$t" 'audience: '
# Dex puts the requesting client into aud next to this host's (an array)
# when the helper asks for a cross-client token.
mintx t --iss "$DX_ISS" --aud "$DX_AUD" --aud pam-jwt-cli --sub CgVhbGljZRIEbGRhcA \
	--claims "{$DEX,\"email\":\"alice@example.com\"}"
verify_as "dex: aud array [host client, pam-jwt-cli] -> alice" "$c" alice sshd "$t"
mintx t --iss "$DX_ISS" --aud pam-jwt-cli --aud other-host --sub CgVhbGljZRIEbGRhcA \
	--claims "{$DEX,\"email\":\"alice@example.com\"}"
refuse_for "dex: aud array without this host's client refused" "$c" alice sshd "$t" 'audience: '

# Google
c=${COPY[auth-centers/google.conf]}
GO_AUD=$(conf_get "$c" audience)
GOOGLE='"azp":"'$GO_AUD'","email_verified":true,"at_hash":"x","name":"Alice Example"'
for iss in "$(conf_get "$c" issuer google)" "$(conf_get "$c" issuer google-without-scheme)"; do
	mintx t --iss "$iss" --aud "$GO_AUD" --sub 110169484474386276334 --exp-in 3600 \
		--claims "{$GOOGLE,\"hd\":\"example.com\",\"email\":\"alice@example.com\"}"
	verify_as "google: ID token from issuer \"$iss\" -> alice" "$c" alice sshd "$t"
done
mintx t --iss https://accounts.google.com --aud "$GO_AUD" --sub 1101694844743 \
	--claims "{$GOOGLE,\"email\":\"alice@example.com\"}"
refuse_for "google: account without hd (not Workspace) refused" "$c" alice sshd "$t" 'claim: require hd='
mintx t --iss https://accounts.google.com --aud other-client.apps.googleusercontent.com --sub 1 \
	--claims "{$GOOGLE,\"hd\":\"example.com\",\"email\":\"alice@example.com\"}"
refuse_for "google: ID token for another OAuth client refused" "$c" alice sshd "$t" 'audience: '

# GitHub Actions.  Every case runs with both forms of sub: the name form
# repo:OWNER/REPO:... and the id form repo:OWNER@OWNER_ID/REPO@REPO_ID:...
# (repositories created, renamed or transferred after 2026-07-15); the
# rules decide on the same immutable claims either way.
c=${COPY[auth-centers/github-actions.conf]}
GH_ISS=$(conf_get "$c" issuer)
GH_AUD=$(conf_get "$c" audience)
gh_token() { # VAR SUB EXTRA_JSON
	mintx "$1" --iss "$GH_ISS" --aud "$GH_AUD" --sub "$2" --nbf-in -600 --exp-in 300 \
		--claims "{\"jti\":\"a1b2\",\"repository_owner\":\"example-org\",\"repository_owner_id\":\"2020\",
		\"actor\":\"alice\",\"actor_id\":\"1001\",\"event_name\":\"push\",\"ref_type\":\"branch\",
		\"ref_protected\":\"true\",\"repository_visibility\":\"private\",\"run_id\":\"9876543210\",
		\"run_number\":\"42\",\"run_attempt\":\"1\",\"sha\":\"c040cae0\"$3}"
}
PROD=',"repository":"example-org/webapp","repository_id":"424242","ref":"refs/heads/main",
 "environment":"production","workflow":"deploy",
 "workflow_ref":"example-org/webapp/.github/workflows/deploy.yml@refs/heads/main",
 "job_workflow_ref":"example-org/webapp/.github/workflows/deploy.yml@refs/heads/main"'
HOSTED=',"runner_environment":"github-hosted"'
line=$(grep -n -- '-> deploy$' "$EX/auth-centers/github-actions.map" | head -n 1 | cut -d: -f1)
deny_line=$(grep -n -- 'event_name=pull_request|pull_request_target -> deny$' \
	"$EX/auth-centers/github-actions.map" | head -n 1 | cut -d: -f1)
[ -n "$line" ] && [ -n "$deny_line" ] || { echo "Bail out! github-actions.map: rules not found"; exit 1; }
for form in name id; do
	# gh_sub REPO_NAME REPO_ID REST: sub in this form
	if [ "$form" = name ]; then
		gh_sub() { echo "repo:example-org/$1:$3"; }
	else
		gh_sub() { echo "repo:example-org@2020/$1@$2:$3"; }
	fi
	f="github-actions ($form form of sub)"
	gh_token t "$(gh_sub webapp 424242 environment:production)" "$PROD$HOSTED"
	verify_as "$f: production deploy job -> deploy" "$c" deploy sshd "$t"
	cli_verify "$t" --config "$c" --user deploy jwks_file="$JWKS" map_file="$T/ex/auth-centers_github-actions.map"
	ok "$f: decided by the deploy rule of github-actions.map (line $line)" \
		grep -qE "^mapping rule: .*github-actions.map:$line$" <<<"$CLI_OUT"
	refuse_for "$f: the deploy job's token as alice refused" "$c" alice sshd "$t" 'user: '
	gh_token t "$(gh_sub webapp 424242 environment:production)" "$PROD,\"runner_environment\":\"self-hosted\""
	refuse_for "$f: the same job on a self-hosted runner matches no rule" "$c" deploy sshd "$t" \
		'no-account: no mapping rule'
	gh_token t "$(gh_sub webapp 424242 environment:staging)" "$PROD$HOSTED,\"environment\":\"staging\""
	refuse_for "$f: the staging environment matches no rule" "$c" deploy sshd "$t" 'no-account: '
	gh_token t "$(gh_sub webapp 424242 environment:production)" "$PROD$HOSTED,\"ref\":\"refs/heads/feature\""
	refuse_for "$f: production environment from another branch matches no rule" "$c" deploy sshd "$t" \
		'no-account: '
	gh_token t "$(gh_sub webapp 424242 pull_request)" ',"repository":"example-org/webapp",
	 "repository_id":"424242","ref":"refs/pull/7/merge","event_name":"pull_request"'"$HOSTED"
	refuse_for "$f: pull_request job denied" "$c" deploy sshd "$t" \
		"user: denied by mapping rule .*github-actions.map:$deny_line"
	# pull_request_target runs the base branch with its rights, and may use
	# the production environment: denied by event_name, whatever else matches.
	gh_token t "$(gh_sub webapp 424242 environment:production)" \
		"$PROD$HOSTED,\"event_name\":\"pull_request_target\""
	refuse_for "$f: pull_request_target job in the production environment denied" "$c" deploy sshd "$t" \
		"user: denied by mapping rule .*github-actions.map:$deny_line"
	# a repository renamed to webapp by someone else, or another owner
	gh_token t "$(gh_sub webapp 999001 environment:production)" "$PROD$HOSTED,\"repository_id\":\"999001\""
	refuse_for "$f: another repository now named webapp (other repository_id) refused" \
		"$c" deploy sshd "$t" 'no-account: '
	gh_token t "$(gh_sub webapp 424242 environment:production)" "$PROD$HOSTED,\"repository_owner_id\":\"666\""
	refuse_for "$f: \"example-org\" re-created by someone else (other owner id) refused" \
		"$c" deploy sshd "$t" 'no-account: '
	# renamed: a new name, the same ids
	gh_token t "$(gh_sub shop 424242 environment:production)" \
		"$PROD$HOSTED,\"repository\":\"example-org/shop\""
	verify_as "$f: webapp renamed to shop (same ids) still deploys" "$c" deploy sshd "$t"
	gh_token t "$(gh_sub inventory 5150 ref:refs/heads/main)" ',"repository":"example-org/inventory",
	 "repository_id":"5150","ref":"refs/heads/main","runner_environment":"github-hosted",
	 "job_workflow_ref":"example-org/platform/.github/workflows/db-dump.yml@refs/heads/main"'
	verify_as "$f: reusable db-dump workflow on main -> backup" "$c" backup sshd "$t"
done

# Kubernetes
c=${COPY[auth-centers/kubernetes.conf]}
K_ISS=$(conf_get "$c" issuer)
K_AUD=$(conf_get "$c" audience)
k8s_token() { # VAR NAMESPACE NAME
	mintx "$1" --iss "$K_ISS" --aud "$K_AUD" --sub "system:serviceaccount:$2:$3" --nbf-in 0 \
		--exp-in 3600 --claims "{\"jti\":\"4b1c\",\"kubernetes.io\":{\"namespace\":\"$2\",
		\"pod\":{\"name\":\"$3-7d9f8\",\"uid\":\"p-1\"},\"serviceaccount\":{\"name\":\"$3\",\"uid\":\"s-1\"}}}"
}
k8s_token t ops backup
verify_as "kubernetes: system:serviceaccount:ops:backup -> backup" "$c" backup sshd "$t"
k8s_token t ops grafana
verify_as "kubernetes: another service account of ops -> monitor" "$c" monitor sshd "$t"
refuse_for "kubernetes: ops:grafana as backup refused" "$c" backup sshd "$t" 'user: '
k8s_token t web backup
refuse_for "kubernetes: a \"backup\" account of another namespace matches no rule" "$c" backup sshd "$t" \
	'no-account: '
mintx t --iss kubernetes/serviceaccount --aud "$K_AUD" --sub system:serviceaccount:ops:backup --no-exp
refuse_for "kubernetes: legacy Secret-based token refused" "$c" backup sshd "$t" 'issuer: '
mintx t --iss "$K_ISS" --aud "$K_AUD" --sub system:serviceaccount:ops:backup --exp-in 31536000
refuse_for "kubernetes: year-long token refused (max_lifetime)" "$c" backup sshd "$t" '.*max_lifetime'

# Keycloak and GitHub Actions at once
c=${COPY[auth-centers/corp-and-robots.conf]}
kc_corp() { # VAR PREFERRED_USERNAME
	mintx "$1" --iss https://sso.example.com/realms/corp --aud ssh://host1.example.com --sub 5f2c \
		--claims "{\"preferred_username\":\"$2\",\"groups\":[\"devs\"]}"
}
kc_corp t alice
verify_as "corp-and-robots: Keycloak token -> alice" "$c" alice sshd "$t"
# A realm user who registers the robot's name, root or a system account
# gets nothing (deny_users in the conf; the module's guard).
kc_corp t deploy
refuse_for "corp-and-robots: a Keycloak user named deploy does not get the robot" "$c" deploy sshd "$t" \
	'user: account "deploy" is in deny_users'
kc_corp t root
refuse_for "corp-and-robots: a Keycloak user named root does not get root" "$c" root sshd "$t" \
	'user: account "root" has UID 0'
gh_corp() { # VAR SUB EXTRA_JSON
	printf -v "$1" '%s' "$(node "$JOSE/mint.mjs" --key "$MINT_KEY" --alg RS256 --kid rsa-1 \
		--iss https://token.actions.githubusercontent.com --aud ssh://host1.example.com --sub "$2" \
		--claims "{\"repository_owner_id\":\"2020\",\"repository_id\":\"424242\",\"environment\":\"production\",
		\"ref\":\"refs/heads/main\",\"event_name\":\"push\",\"preferred_username\":\"alice\"$3}")" ||
		{ echo "Bail out! mint failed"; exit 1; }
}
for sub in repo:example-org/webapp:environment:production repo:example-org@2020/webapp@424242:environment:production; do
	gh_corp t "$sub" ''
	verify_as "corp-and-robots: GitHub token ($sub) -> deploy" "$c" deploy sshd "$t"
	refuse_for "corp-and-robots: a GitHub token ($sub) claiming preferred_username alice is not alice" \
		"$c" alice sshd "$t" 'user: '
	gh_corp t "$sub" ',"event_name":"pull_request_target"'
	refuse_for "corp-and-robots: pull_request_target ($sub) denied" "$c" deploy sshd "$t" \
		'user: denied by mapping rule'
done
mintx t --iss https://token.actions.githubusercontent.com --aud ssh://host1.example.com \
	--sub repo:example-org/webapp:environment:production --exp-in 7200 \
	--claims '{"repository_owner_id":"2020","repository_id":"424242","environment":"production","ref":"refs/heads/main"}'
refuse_for "corp-and-robots: the github section's max_lifetime 1h applies" "$c" deploy sshd "$t" \
	'.*max_lifetime'

# ---- 4. PAM stacks: static checks ------------------------------------------------------
# pam_tokens LINE: split a PAM line into TOK[], keeping [...] (which may
# hold spaces) as one token without the brackets' meaning lost: a control
# keeps its brackets, an argument loses them (as libpam does).
pam_tokens() {
	local line=$1 cur='' inb=0 ch i
	TOK=()
	for ((i = 0; i < ${#line}; i++)); do
		ch=${line:i:1}
		if [ "$inb" = 1 ]; then
			if [ "$ch" = '\' ] && [ "${line:i+1:1}" = ']' ]; then
				cur+=']'
				i=$((i + 1))
			elif [ "$ch" = ']' ]; then
				cur+=']'
				inb=0
			else
				cur+=$ch
			fi
		elif [ "$ch" = '[' ] && [ -z "$cur" ]; then
			cur='['
			inb=1
		elif [ "$ch" = ' ' ] || [ "$ch" = $'\t' ]; then
			[ -z "$cur" ] || TOK+=("$cur")
			cur=''
		else
			cur+=$ch
		fi
	done
	[ -z "$cur" ] || TOK+=("$cur")
}

PAM_RETURNS=" success open_err symbol_err service_err system_err buf_err perm_denied auth_err
 cred_insufficient authinfo_unavail user_unknown maxtries new_authtok_reqd acct_expired
 session_err cred_unavail cred_expired cred_err no_module_data conv_err authtok_err
 authtok_recover_err authtok_lock_busy authtok_disable_aging try_again ignore abort
 authtok_expired module_unknown bad_item conv_again incomplete default "
PAM_RETURNS=${PAM_RETURNS//$'\n'/ }

# pam_line_problem LINE ALLOW_END: print what is wrong with one PAM line
# (empty when nothing is); sets LINE_TYPE, LINE_JUMP (largest jump) and
# JWT_ARGS (pam_jwt's arguments).
pam_line_problem() {
	local line=$1 allow_end=$2 type ctl mod kv k v
	LINE_TYPE='' LINE_JUMP=0 JWT_ARGS=()
	pam_tokens "$line"
	if [ "${TOK[0]}" = "@include" ]; then
		[ "${#TOK[@]}" -eq 2 ] || { echo "@include takes one file"; return; }
		case ${TOK[1]} in
		common-auth | common-account | common-session | common-session-noninteractive | common-password) ;;
		*) [ -f "/etc/pam.d/${TOK[1]}" ] || echo "@include ${TOK[1]}: no such file in /etc/pam.d" ;;
		esac
		LINE_TYPE=include
		return
	fi
	[ "${#TOK[@]}" -ge 3 ] || { echo "expected TYPE CONTROL MODULE [ARGS]"; return; }
	type=${TOK[0]} ctl=${TOK[1]} mod=${TOK[2]}
	case ${type#-} in
	auth | account | session | password) ;;
	*) echo "unknown type \"$type\""; return ;;
	esac
	LINE_TYPE=${type#-}
	case $ctl in
	required | requisite | sufficient | optional) ;;
	include | substack) echo "$ctl: use @include"; return ;;
	\[*\])
		for kv in ${ctl:1:${#ctl}-2}; do
			k=${kv%%=*} v=${kv#*=}
			[[ $kv == *=* ]] || { echo "control \"$kv\" is not VALUE=ACTION"; return; }
			[[ $PAM_RETURNS == *" $k "* ]] || { echo "unknown return value \"$k\""; return; }
			case $v in
			ignore | bad | die | ok | done | reset) ;;
			end) [ "$allow_end" = 1 ] || { echo "\"end\" is only for pam-auth-update"; return; } ;;
			*)
				[[ $v =~ ^[1-9][0-9]*$ ]] || { echo "unknown action \"$v\""; return; }
				[ "$v" -le "$LINE_JUMP" ] || LINE_JUMP=$v
				;;
			esac
		done
		;;
	*) echo "unknown control \"$ctl\""; return ;;
	esac
	if [ "$mod" = pam_jwt.so ]; then
		JWT_ARGS=("${TOK[@]:3}")
		JWT_ARGS=("${JWT_ARGS[@]/#\[/}")
		JWT_ARGS=("${JWT_ARGS[@]/%\]/}")
	elif [[ $mod == */* ]]; then
		echo "module \"$mod\": give the name only"
	elif [ ! -f "$SECDIR/$mod" ] && [ "${type:0:1}" != - ]; then
		echo "module \"$mod\" is not in $SECDIR"
	fi
}

# check_pam_file NAME FILE: every line valid, every jump lands on a line
# of its type before any @include, pam_jwt's arguments parse.
check_pam_file() {
	local name=$1 f=$2 n=0 problems='' p line i j types=() jumps=() jwtargs=()
	local -a lines=()
	mapfile -t lines < <(sed -e 's/^[ \t]*//' -e '/^#/d' -e '/^$/d' "$f")
	for line in "${lines[@]}"; do
		n=$((n + 1))
		p=$(pam_line_problem "$line" 0)
		[ -z "$p" ] || problems+="line \"$line\": $p; "
		pam_line_problem "$line" 0 >/dev/null
		types+=("$LINE_TYPE")
		jumps+=("$LINE_JUMP")
		if [ "${#JWT_ARGS[@]}" -gt 0 ]; then
			out=$(check --syntax --config "$BASE" "${JWT_ARGS[@]}" 2>&1) ||
				problems+="pam_jwt arguments \"${JWT_ARGS[*]}\": $out; "
		fi
	done
	for ((i = 0; i < ${#lines[@]}; i++)); do
		[ "${jumps[i]}" -gt 0 ] || continue
		local left=${jumps[i]}
		for ((j = i + 1; j < ${#lines[@]} && left > 0; j++)); do
			[ "${types[j]}" != include ] || break
			[ "${types[j]}" != "${types[i]}" ] || left=$((left - 1))
		done
		[ "$left" -eq 0 ] || problems+="line \"${lines[i]}\": jumps past its last ${types[i]} line; "
	done
	[ "$n" -gt 0 ] || problems+="no PAM lines; "
	if [ -z "$problems" ]; then
		ok "$name" true
	else
		ok "$name" false
		diag "  $problems"
	fi
}

printf 'issuer = %s\naudience = %s\njwks_file = %s\n' "$ISS" "ssh://host1.example.com" "$JWKS" \
	>"$T/ex/base.conf"
chmod 600 "$T/ex/base.conf"
BASE=$T/ex/base.conf
mapfile -t STACKS < <(find "$EX/pam.d" -type f | sort)
for f in "${STACKS[@]}"; do
	check_pam_file "PAM stack is valid: ${f#"$EX"/}" "$f"
done
# Control: the checker finds mistakes.
printf 'auth [success=3 default=ignore] pam_jwt.so\nauth required pam_permit.so\n' >"$T/ex/bad1"
printf 'auth sufficent pam_jwt.so\n' >"$T/ex/bad2"
printf 'auth required pam_jwt.so no_such_option=1\n' >"$T/ex/bad3"
printf 'auth required pam_no_such_module.so\n' >"$T/ex/bad4"
for b in 1 2 3 4; do
	out=$(check_pam_file x "$T/ex/bad$b")
	ok "control: the stack checker refuses bad stack $b" grep -q '^not ok' <<<"$out"
done

# ---- 5. PAM stacks: logins through them ---------------------------------------------
# The example files are used as they are, with three changes for the test
# host: pam_jwt.so becomes the built module with a test config (issuer,
# key), @include reads stub common-* files from the test service dir
# (pam_wrapper only redirects the service file itself), and, when not
# root, pam_unix.so becomes pam_matrix.so (pam_unix needs its setuid
# helper, which nss_wrapper cannot reach).
HOST_AUD=ssh://host1.example.com
EXC=$(conf examples "audience = $HOST_AUD")
PW=alice-local-pw
if [ "$IS_ROOT" = 1 ]; then
	hash=$(openssl passwd -6 -salt pamjwtpolicy "$PW") || { echo "Bail out! openssl passwd failed"; exit 1; }
	sed -i "s|^alice:x:|alice:$hash:|" "$T/passwd"
	UNIX="pam_unix.so nullok"
else
	printf 'alice:%s:any\n' "$PW" >"$T/passdb"
	chmod 600 "$T/passdb"
	UNIX="$WRAPMODS/pam_matrix.so passdb=$T/passdb"
fi
service common-auth "auth [success=1 default=ignore] $UNIX" "auth requisite pam_deny.so" \
	"auth required pam_permit.so"
service common-account "account required pam_permit.so"
service common-session "session required pam_permit.so"
service common-session-noninteractive "session required pam_permit.so"
service common-password "password required pam_deny.so"

# install_example NAME: examples/pam.d/NAME as the service NAME.
install_example() {
	local -a unix=()
	[ "$IS_ROOT" = 1 ] || unix=(-e "s|\([[:space:]]\)pam_unix\.so\( nullok\)\?|\1$UNIX|")
	sed -e "s|\([[:space:]]\)pam_jwt\.so|\1$MODULE config=$EXC|" \
		-e "s|^@include[[:space:]]*\(common-[a-z-]*\)|@include $SVC/\1|" \
		"${unix[@]}" "$EX/pam.d/$1" >"$SVC/$1"
	chmod 644 "$SVC/$1"
}
for s in sshd token-only sudo login gdm-password; do install_example "$s"; done
# only when not root, pam_unix is pam_matrix, and it asks again
password_prompts() { if [ "$IS_ROOT" = 1 ]; then echo 1; else echo 2; fi; }

SUDO_AUD_EX=$(grep -v '^[[:space:]]*#' "$EX/pam.d/sudo" | grep -o 'audience=[^ ]*' | head -n 1 | cut -d= -f2)
case $SUDO_AUD_EX in sudo://*) ;; *) echo "Bail out! no sudo audience in examples/pam.d/sudo"; exit 1 ;; esac
mint tok_ssh --aud "$HOST_AUD"
mint tok_sudo --aud "$SUDO_AUD_EX" --claims '{"groups":["admins"]}'
mint tok_sudo_dev --aud "$SUDO_AUD_EX" --claims '{"groups":["devs"]}'
mint tok_sudo_stale --aud "$SUDO_AUD_EX" --claims '{"groups":["admins"]}' --iat-in -900 --exp-in 600
mint tok_sudo_ssh --aud "$HOST_AUD" --claims '{"groups":["admins"]}'
mint tok_expired --aud "$HOST_AUD" --exp-in -3600

# answers N TEXT: TEXT N times (one per password prompt)
answers() { local i; for ((i = 0; i < $1; i++)); do printf '%s\n' "$2"; done; }

# pam.d/sshd: token or password
pt_answers sshd alice "authenticate acct_mgmt open_session" "$tok_ssh"
pt_ok "pam.d/sshd: token accepted" "$OK_AUTH" "$OK_ACCT" "$OK_SESSION"
pt sshd alice authenticate acct_mgmt < <(printf '%s\n' "$PW"; answers 1 "$PW")
pt_ok "pam.d/sshd: password accepted by the common-auth fallback" "$OK_AUTH" "$OK_ACCT"
pt sshd alice authenticate < <(printf '%s\n' "$tok_expired"; answers 1 wrong-pw)
pt_refused "pam.d/sshd: expired token, then a wrong password: refused" "$E_AUTH"

# pam.d/token-only
pt_answers token-only alice "authenticate acct_mgmt" "$tok_ssh"
pt_ok "pam.d/token-only: token accepted" "$OK_AUTH" "$OK_ACCT"
pt_answers token-only alice authenticate "$PW"
pt_refused "pam.d/token-only: password refused" "$E_PERM"

# pam.d/sudo
pt_answers sudo alice "authenticate acct_mgmt open_session" "$tok_sudo"
pt_ok "pam.d/sudo: admins token for the sudo audience accepted" "$OK_AUTH" "$OK_ACCT" "$OK_SESSION"
pt_answers sudo alice authenticate "$tok_sudo_dev"
pt_refused "pam.d/sudo: token without the admins group refused" "$E_AUTH"
pt_answers sudo alice authenticate "$tok_sudo_stale"
pt_refused "pam.d/sudo: 15-minute-old token refused (max_age 5m)" "$E_AUTH"
pt_answers sudo alice authenticate "$tok_sudo_ssh"
pt_refused "pam.d/sudo: token for the SSH audience refused" "$E_AUTH"
pt_answers sudo alice authenticate "$PW" "$PW"
pt_refused "pam.d/sudo: the password is refused (token only)" "$E_AUTH"
ok "pam.d/sudo: asked once, for the token" eval '[ "$(grep -o "Token: " <<<"$PT_OUT" | wc -l)" -eq 1 ]'

# pam.d/login and pam.d/gdm-password: token or password at one prompt
for s in login gdm-password; do
	pt_answers "$s" alice "authenticate acct_mgmt" "$tok_ssh"
	pt_ok "pam.d/$s: token accepted" "$OK_AUTH" "$OK_ACCT"
	ok "pam.d/$s: the prompt is \"Password or token: \"" prompted "Password or token: "
	ok "pam.d/$s: token, no second prompt" not_prompted "Password: "
	pt "$s" alice authenticate acct_mgmt < <(answers "$(password_prompts)" "$PW")
	pt_ok "pam.d/$s: password accepted" "$OK_AUTH" "$OK_ACCT"
	if [ "$IS_ROOT" = 1 ]; then
		ok "pam.d/$s: password taken at pam_jwt's prompt (try_first_pass)" not_prompted "Password: "
	fi
	pt "$s" alice authenticate < <(printf '%s\n' "$tok_expired"; answers 1 "$PW")
	pt_ok "pam.d/$s: expired token falls through to the password prompt"
	pt "$s" alice authenticate < <(answers 3 wrong-pw)
	pt_refused "pam.d/$s: wrong password refused" "$E_AUTH"
done
mint tok_root --aud "$HOST_AUD" --sub root
pt_answers gdm-password root authenticate "$tok_root"
pt_refused "pam.d/gdm-password: root cannot log in at the greeter, even with a token" "$E_AUTH"

# A broken pam_jwt setup does not lock out password users of login.
printf 'issuer = %s\naudience = %s\njwks_file = %s/nonexistent.jwks\nbogus_option = 1\n' \
	"$ISS" "$HOST_AUD" "$T" >"$T/conf/broken.conf"
chmod 600 "$T/conf/broken.conf"
sed -e "s|config=$EXC|config=$T/conf/broken.conf|" "$SVC/login" >"$SVC/login-broken"
pt login-broken alice authenticate < <(answers 2 "$PW")
pt_ok "pam.d/login: broken pam_jwt configuration, the password still works"

# ---- 6. sshd_config snippet ---------------------------------------------------------------
SNIP=$EX/sshd_config.d/pam_jwt.conf
bad=$(sed -e '/^[ \t]*#/d' -e '/^[ \t]*$/d' "$SNIP" |
	awk '$1 !~ /^(UsePAM|KbdInteractiveAuthentication|PasswordAuthentication|AuthenticationMethods)$/ || NF != 2')
is "sshd_config.d/pam_jwt.conf: only known keywords, one value each" "$bad" ""
ok "sshd_config.d/pam_jwt.conf: UsePAM yes" grep -qx 'UsePAM yes' "$SNIP"
ok "sshd_config.d/pam_jwt.conf: KbdInteractiveAuthentication yes" \
	grep -qx 'KbdInteractiveAuthentication yes' "$SNIP"
SSHD=$(command -v sshd || echo /usr/sbin/sshd)
if [ "$IS_ROOT" = 1 ] && [ -x "$SSHD" ] && command -v ssh-keygen >/dev/null &&
	unshare -m true 2>/dev/null; then
	ssh-keygen -q -t ed25519 -N '' -f "$T/hostkey"
	printf 'Include %s\nHostKey %s\n' "$SNIP" "$T/hostkey" >"$T/sshd_config"
	# sshd -T wants /run/sshd: give it a private /run.
	out=$(unshare -m sh -c 'mount -t tmpfs tmpfs /run && mkdir -m 755 /run/sshd &&
		exec "$1" -T -f "$2"' sh "$SSHD" "$T/sshd_config" 2>&1)
	rc=$?
	is "sshd -T accepts the snippet" "$rc" 0
	for kv in "usepam yes" "kbdinteractiveauthentication yes" "passwordauthentication no"; do
		ok "sshd -T with the snippet: $kv" grep -qx "$kv" <<<"$out"
	done
else
	ok "sshd -T accepts the snippet # SKIP needs root, sshd and unshare" true
fi

# ---- 7. pam-auth-update profile ------------------------------------------------------------
PROF=$EX/pam-configs/pam_jwt
FIELDS=" Name Default Priority Conflicts Auth-Type Auth Auth-Initial Account-Type Account
 Account-Initial Session-Type Session Session-Initial Session-Interactive-Only Password-Type
 Password Password-Initial "
FIELDS=${FIELDS//$'\n'/ }
unknown=$(grep -E '^[^[:space:]]+:' "$PROF" | cut -d: -f1 | while read -r fld; do
	[[ $FIELDS == *" $fld "* ]] || echo "$fld"
done)
is "pam-configs/pam_jwt: every field is one pam-auth-update knows" "$unknown" ""
for fld in Name Default Priority Auth-Type Auth Auth-Initial Account-Type Account; do
	ok "pam-configs/pam_jwt: has $fld" grep -q "^$fld:" "$PROF"
done
ok "pam-configs/pam_jwt: Default is yes or no" grep -qxE 'Default: (yes|no)' "$PROF"
prio=$(sed -n 's/^Priority:[[:space:]]*//p' "$PROF")
unix_prio=$(sed -n 's/^Priority:[[:space:]]*//p' /usr/share/pam-configs/unix 2>/dev/null)
ok "pam-configs/pam_jwt: Priority $prio is above pam_unix's (${unix_prio:-256})" \
	eval "[[ '$prio' =~ ^[0-9]+$ ]] && [ '$prio' -gt '${unix_prio:-256}' ]"
ok "pam-configs/pam_jwt: every *-Type is Primary or Additional" \
	eval "! grep -E '^[A-Za-z]+-Type:' '$PROF' | grep -vqE ':[[:space:]]+(Primary|Additional)$'"
ok "pam-configs/pam_jwt: no comment lines (pam-auth-update would copy and count them)" \
	eval "! grep -q '^[[:space:]]*#' '$PROF'"
problems=''
while read -r line; do
	p=$(pam_line_problem "auth $line" 1)
	[ -z "$p" ] || problems+="\"$line\": $p; "
done < <(grep -E '^[[:space:]]' "$PROF" | sed 's/^[[:space:]]*//')
is "pam-configs/pam_jwt: every stack line is valid" "$problems" ""

if [ "$IS_ROOT" = 1 ] && command -v pam-auth-update >/dev/null && [ -d /var/cache/debconf ] &&
	unshare -m true 2>/dev/null; then
	R=$T/pau
	debconf_sum=$(cat /var/cache/debconf/*.dat | md5sum)
	mkdir -p "$R/etc/pam.d" "$R/var/lib/pam" "$R/usr/share/pam-configs" "$T/debconf"
	cp /etc/pam.d/common-* "$R/etc/pam.d/" 2>/dev/null
	cp /var/lib/pam/* "$R/var/lib/pam/" 2>/dev/null
	cp /usr/share/pam-configs/* "$R/usr/share/pam-configs/"
	cp "$PROF" "$R/usr/share/pam-configs/"
	cp -p /var/cache/debconf/*.dat "$T/debconf/"
	# debconf's database is the host's: give pam-auth-update a copy.
	out=$(unshare -m sh -c 'mount --bind "$1" /var/cache/debconf &&
		DEBIAN_FRONTEND=noninteractive exec pam-auth-update --root "$2" --enable pam_jwt' \
		sh "$T/debconf" "$R" 2>&1)
	is "pam-auth-update --root --enable pam_jwt succeeds" "$?" 0
	CA=$R/etc/pam.d/common-auth
	first=$(grep -E '^auth' "$CA" | head -n 1)
	ok "pam-auth-update: pam_jwt is the first auth module" grep -q 'pam_jwt\.so' <<<"$first"
	ok "pam-auth-update: pam_unix now has try_first_pass" grep -qE '^auth.*pam_unix\.so.*try_first_pass' "$CA"
	ok "pam-auth-update: common-account has pam_jwt" grep -qE '^account.*required.*pam_jwt\.so' \
		"$R/etc/pam.d/common-account"
	ok "pam-auth-update: common-session has pam_jwt" grep -qE '^session.*optional.*pam_jwt\.so' \
		"$R/etc/pam.d/common-session"
	# Log in through the stack it wrote (pam_jwt and @include paths made
	# local as above; pam_unix stays itself, as root).
	for k in auth account session; do
		sed -e "s|\([[:space:]]\)pam_jwt\.so|\1$MODULE config=$EXC session_env=sub|" \
			"$R/etc/pam.d/common-$k" >"$SVC/pau-common-$k"
	done
	service pau "@include $SVC/pau-common-auth" "@include $SVC/pau-common-account" \
		"session required pam_permit.so"
	pt_answers pau alice "authenticate acct_mgmt" "$tok_ssh"
	pt_ok "pam-auth-update stack: token accepted" "$OK_AUTH" "$OK_ACCT"
	pt_answers pau alice "authenticate acct_mgmt" "$PW"
	pt_ok "pam-auth-update stack: password at pam_jwt's prompt accepted" "$OK_AUTH" "$OK_ACCT"
	ok "pam-auth-update stack: password asked for once" not_prompted "Password: "
	pt_answers pau alice authenticate wrong-pw wrong-pw
	pt_refused "pam-auth-update stack: wrong password refused" "$E_AUTH"
	pt_answers pau alice authenticate "$tok_expired" "$PW"
	pt_ok "pam-auth-update stack: expired token, then the password at pam_unix's prompt"
	is "pam-auth-update: the host's debconf database is untouched" \
		"$(cat /var/cache/debconf/*.dat | md5sum)" "$debconf_sum"
else
	ok "pam-auth-update --root with the profile # SKIP needs root, pam-auth-update and unshare" true
fi

done_testing
