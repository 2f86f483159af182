#!/bin/bash
# `pam-jwt verify` reaches the module's verdict.  For a catalogue of
# tokens, answers and configurations, the module's exact PAM code (from
# pamdrive) and the CLI's exit status must match:
#   PAM_SUCCESS          <-> exit 0
#   PAM_AUTHINFO_UNAVAIL <-> exit 2 (configuration / keys unavailable)
#   any other refusal    <-> exit 1
# and when the module logs "refused token ...: REASON: ...", the CLI says
# "reason: REASON: ...".  (accept.sh, refuse.sh and config.sh also ask the
# CLI about every token they use.)
set -u
. "$top_srcdir/tests/integration/common.sh"
pj_require_built
pj_require_node
pj_require_drive
pj_setup
pj_keys

K=$T/keys
jwt_service pem "$(conf pem "key_file = $K/rsa.pub.pem")"
jwt_service jwks "$(conf jwks "jwks_file = $K/jwks.json")"
jwt_service hmac "$(conf hmac "hmac_secret_file = $K/hmac.secret")"
jwt_service small "$(conf small "key_file = $K/rsa.pub.pem" "max_token_size = 512")"
jwt_service broken "$(conf broken "key_file = $K/rsa.pub.pem" "leeway = soon")"
jwt_service nokey "$(conf nokey "key_file = $K/missing.pub.pem")"
cp "$K/jwks.json" "$K/ww.json" && chmod 666 "$K/ww.json"
jwt_service wwkey "$(conf wwkey "jwks_file = $K/ww.json")"
# Module arguments override the file, for the module and the CLI alike.
jwt_service args "$T/conf/jwks.conf" audience=host-b.pamjwt.test leeway=0 max_age=1h

# expected_exit CODE: the CLI exit status that matches PAM code CODE.
expected_exit() {
	case $1 in
	"$PAM_SUCCESS") echo 0 ;;
	"$PAM_AUTHINFO_UNAVAIL") echo 2 ;;
	*) echo 1 ;;
	esac
}

# agree NAME SERVICE USER ANSWER: run both, compare.
agree() {
	local name=$1 svc=$2 user=$3 answer=$4 accepted=0 want mreason creason
	log_mark
	drive "$svc" "$user" "$answer"
	[ "$DR_RC" -eq "$PAM_SUCCESS" ] && accepted=1
	cli_agrees "$name (PAM code $DR_RC)" "$svc" "$user" "$answer" "$accepted"
	want=$(expected_exit "$DR_RC")
	is "exit status matches PAM code $DR_RC: $name" "$CLI_RC" "$want"
	mreason=$(log_since | sed -nE 's/.*refused token( for user=[^ ]*)?: ([a-z-]+): .*/\2/p' | head -n 1)
	if [ -n "$mreason" ]; then
		creason=$(printf '%s\n' "$CLI_OUT" | sed -nE 's/^reason: ([a-z-]+): .*/\1/p')
		is "same reason as the module's log ($mreason): $name" "$creason" "$mreason"
	fi
}

mint t --key "$K/rsa.priv.pem" --alg RS256
agree "good RS256, PEM" pem alice "$t"
mint t --key "$K/p384.priv.pem" --alg ES384 --kid p384-kid
agree "good ES384, JWKS" jwks alice "$t"
mint t --alg HS256 --secret-file "$K/hmac.secret"
agree "good HS256" hmac alice "$t"
mint t --key "$K/ed.priv.pem" --alg EdDSA --kid ed-kid --sub bob
agree "good EdDSA for bob, login bob" jwks bob "$t"
agree "good EdDSA for bob, login alice" jwks alice "$t"
mint t --key "$K/rsa.priv.pem" --alg RS256 --exp-in -600
agree "expired" pem alice "$t"
mint t --key "$K/rsa.priv.pem" --alg RS256 --nbf-in 600 --exp-in 1200
agree "nbf in the future" pem alice "$t"
mint t --key "$K/rsa.priv.pem" --alg RS256 --iat-in 600 --exp-in 1200
agree "iat in the future" pem alice "$t"
mint t --key "$K/rsa.priv.pem" --alg RS256 --iss urn:pam-jwt:test:other
agree "wrong issuer" pem alice "$t"
mint t --key "$K/rsa.priv.pem" --alg RS256 --aud host-b.pamjwt.test
agree "wrong audience" pem alice "$t"
agree "audience given as a module argument" args alice "$t"
mint t --key "$K/rsa.priv.pem" --alg RS256 --sub carol
agree "no such account" pem carol "$t"
mint t --key "$K/rsa2.priv.pem" --alg RS256
agree "wrong key" pem alice "$t"
mint t --key "$K/rsa.priv.pem" --alg RS256 --corrupt-sig
agree "bad signature" pem alice "$t"
mint t --key "$K/rsa.priv.pem" --alg RS256 --kid rsa-kid --header '{"alg":"None"}'
agree "alg None" jwks alice "$t"
mint t --alg none
agree "alg none, unsecured h.p." pem alice "$t"
mint_confusion t --pub "$K/rsa.pub.pem"
agree "HS256 keyed with the public key" pem alice "$t"
mint t --key "$K/rsa.priv.pem" --alg RS256 --kid nope
agree "unknown kid" jwks alice "$t"
mint t --key "$K/rsa.priv.pem" --alg RS256 --pad-claim 600
agree "too large for max_token_size 512" small alice "$t"
mint good --key "$K/rsa.priv.pem" --alg RS256
h=$(seg "$good" 0) p=$(seg "$good" 1) s=$(seg "$good" 2)
agree "2 parts" pem alice "$h.$p"
agree "5 parts" pem alice "$h.$p.$s.$h.$p"
agree "payload of 4k+1 characters" pem alice "$h.${p}AAAAA.$s"
agree "a password" pem alice "hunter2-is-my-password"
agree "leading space" pem alice " $good"
agree "malformed config (leeway = soon)" broken alice "$good"
agree "missing key file" nokey alice "$good"
mint t --key "$K/rsa.priv.pem" --alg RS256 --kid rsa-kid
agree "world-writable JWKS file" wwkey alice "$t"
mint t --key "$K/rsa.priv.pem" --alg RS256 --kid rsa-kid --aud host-b.pamjwt.test --exp-in 120
agree "module arguments: audience=host-b, leeway=0" args alice "$t"
mint t --key "$K/rsa.priv.pem" --alg RS256 --kid rsa-kid --aud host-b.pamjwt.test \
	--iat-in -7200 --exp-in 600
agree "module arguments: max_age=1h, iat two hours ago" args alice "$t"

# The same bytes as a conversation answer and on the CLI's stdin: a CR
# before the end of line (an answer from a CRLF file or a Windows askpass
# helper).  The conversation strips the LF; the token ends in a CR.
mint t --key "$K/rsa.priv.pem" --alg RS256
agree "token followed by a CR" pem alice "$t"$'\r'

done_testing
