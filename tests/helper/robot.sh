#!/bin/bash
# pam-jwt robot: client credentials (secret from a file or the
# environment, never argv) giving a token that a mapping rule maps to the
# robot's account, and the pass-through of a token a CI platform made
# (--token-file / --token-env) with its checks.
set -u
. "${top_srcdir:?}/tests/helper/common.sh"
th_require
th_setup
ACDIR=$T/ac
th_start_ac "$ACDIR"
# no client.conf: everything from the options and the environment
export PAM_JWT_CLI_ISSUER=$ISS PAM_JWT_CLI_CA_FILE=$ACDIR/ca.pem

printf 'robot-deploy-secret\n' >"$T/secret"
chmod 600 "$T/secret"
printf 'sub=robot-deploy -> deploy\n' >"$T/conf/robots.map"
chmod 600 "$T/conf/robots.map"
th_verify_conf "$T/conf/host1.conf" ssh://host1 "map_file = $T/conf/robots.map"

# ---- client credentials ---------------------------------------------------

hx robot --client-id robot-deploy --client-secret-file "$T/secret" --audience ssh://host1
rc_is "client credentials: exit 0" $X_OK
TOK=$OUT
is "the robot token is robot-deploy's" "$(claim "$TOK" sub)" "robot-deploy"
is "the robot token is for ssh://host1" "$(claim "$TOK" aud)" "ssh://host1"
vf "$T/conf/host1.conf" "$TOK" --user deploy
vf_accepted "the mapping rule sub=robot-deploy -> deploy accepts it for deploy"
like "pam-jwt verify names the mapping rule" "$VF_OUT" '^mapping rule: .*robots.map:1'
vf "$T/conf/host1.conf" "$TOK" --user alice
vf_refused_like "the robot token is refused for alice" '^reason: '
th_verify_conf "$T/conf/host2.conf" ssh://host2 "map_file = $T/conf/robots.map"
vf "$T/conf/host2.conf" "$TOK" --user deploy
vf_refused_like "the robot token is refused by host2 (audience)" '^reason: audience'
ok "robot keeps nothing in the cache" test ! -e "$CACHE"

ROBOT_SECRET=robot-deploy-secret hx robot --client-id robot-deploy \
	--client-secret-env ROBOT_SECRET --audience ssh://host1 --json
rc_is "secret from the environment, --json: exit 0" $X_OK
is "--json: audience and a token for robot-deploy" \
	"$(printf '%s' "$OUT" | node -e 'const j=JSON.parse(require("fs").readFileSync(0,"utf8")); process.stdout.write(j.audience+" "+(j.expires_at>0))')" \
	"ssh://host1 true"

hx robot --client-id robot-deploy --client-secret robot-deploy-secret --audience ssh://host1
rc_is "a secret on the command line is refused: exit 2" $X_USAGE
like "... and says why (ps shows argv)" "$ERR" 'visible to every user'
is "... nothing on stdout" "$OUT" ""

chmod 666 "$T/secret"
hx robot --client-id robot-deploy --client-secret-file "$T/secret" --audience ssh://host1
rc_is "a secret file others can write: exit 2" $X_USAGE
like "... says so" "$ERR" '(writable|readable) by group or others'
chmod 600 "$T/secret"

printf 'wrong-secret\n' >"$T/wrong"
chmod 600 "$T/wrong"
hx robot --client-id robot-deploy --client-secret-file "$T/wrong" --audience ssh://host1
rc_is "a wrong secret: exit 1" $X_FAIL
like "a wrong secret: the auth center's error and what to check" "$ERR" 'invalid_client.*check the client id and secret'
is "a wrong secret: nothing on stdout" "$OUT" ""

hx robot --client-id robot-deploy --client-secret-file "$T/secret" --audience host1
rc_is "a resource that is not an absolute URI: exit 1" $X_FAIL
like "... with the auth center's invalid_target" "$ERR" 'invalid_target'

hx robot --client-id robot-deploy --audience ssh://host1
rc_is "no secret and no token source: exit 2" $X_USAGE

PAM_JWT_CLI_ISSUER='' hx robot --issuer "https://127.0.0.1:1" --client-id robot-deploy \
	--client-secret-file "$T/secret" --http-timeout 2
rc_is "an auth center that cannot be reached: exit 5" $X_NET

# ---- passing on a platform's token ------------------------------------------

printf '%s\n' "$TOK" >"$T/ci.token"
chmod 644 "$T/ci.token"
hx robot --token-file "$T/ci.token" --audience ssh://host1
rc_is "--token-file: exit 0" $X_OK
same "--token-file: the token as it was" "$OUT" "$TOK"
mkdir -p "$T/k8s/..data"
cp "$T/ci.token" "$T/k8s/..data/token"
ln -s ..data/token "$T/k8s/token"
hx robot --token-file "$T/k8s/token"
rc_is "--token-file through a symlink (as Kubernetes projects it): exit 0" $X_OK
CI_TOKEN=$TOK hx robot --token-env CI_TOKEN --audience ssh://host1
rc_is "--token-env: exit 0" $X_OK
same "--token-env: the token as it was" "$OUT" "$TOK"
hx robot --token-file "$T/ci.token" --audience ssh://host2
rc_is "--token-file for another audience: exit 1" $X_FAIL
like "... says it is not for that audience" "$ERR" 'not for audience ssh://host2'
is "... nothing on stdout" "$OUT" ""
hx robot --token-env NO_SUCH_VARIABLE_HERE
rc_is "--token-env of an unset variable: exit 1" $X_FAIL
printf 'not a token\n' >"$T/bad.token"
hx robot --token-file "$T/bad.token"
rc_is "--token-file without a JWT: exit 1" $X_FAIL
like "... says so" "$ERR" 'does not hold a JWT'
hx robot --token-file "$T/no-such-file"
rc_is "--token-file that does not exist: exit 1" $X_FAIL
hx robot --token-file "$T/ci.token" --min-valid 86400
rc_is "--min-valid longer than the token lives: exit 1" $X_FAIL
like "... says when it expires" "$ERR" 'expires in'

"$AC" robot "$ACDIR" --audience ssh://short --ttl 1 >"$T/short.token" 2>/dev/null || bail "ac.sh robot failed"
sleep 2
hx robot --token-file "$T/short.token"
rc_is "an expired platform token: exit 1" $X_FAIL
like "... says it expired and what to do" "$ERR" 'expired .* ago: get a new one'

done_testing
