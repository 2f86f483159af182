#!/bin/bash
# What the module logs, captured by pamdrive (its syslog()/vsyslog()
# receive libpam's pam_syslog() calls): one line per decision with the
# reason, hostile claim values made safe, and never the token, a part of
# it, or a password -- with debug on, too.
set -u
. "$top_srcdir/tests/integration/common.sh"
pj_require_built
pj_require_node
pj_require_drive
pj_setup
pj_keys

K=$T/keys
jwt_service plain "$(conf plain "jwks_file = $K/jwks.json")"
jwt_service debug "$(conf debug "jwks_file = $K/jwks.json" "debug = yes")"
jwt_service broken "$(conf broken "jwks_file = $K/jwks.json" "frobnicate = 1")"

# log_lines: the number of lines logged since the mark.
log_lines() { log_since | wc -l; }

for svc in plain debug; do
	mint tok --key "$K/p384.priv.pem" --alg ES384 --kid p384-kid --claims '{"jti":"jti-4711"}'
	log_mark
	drive "$svc" alice "$tok"
	dr_is "$svc: good token accepted" "$PAM_SUCCESS"
	cli_agrees "$svc: good token" "$svc" alice "$tok" "$(dr_accepted)"
	log_has "$svc: acceptance logged with user, alg, iss, sub, kid, jti" \
		"^<5> pam_jwt\\($svc:auth\\): accepted token for user=\"alice\" alg=ES384 iss=\"$PJ_ISS\" sub=\"alice\" kid=\"p384-kid\" jti=\"jti-4711\""

	mint tok --key "$K/p384.priv.pem" --alg ES384 --kid p384-kid --exp-in -600
	log_mark
	drive "$svc" alice "$tok"
	dr_is "$svc: expired token refused" "$PAM_AUTH_ERR"
	cli_agrees "$svc: expired token" "$svc" alice "$tok" "$(dr_accepted)"
	log_has "$svc: refusal logged at notice with the reason \"expired\"" \
		"^<5> pam_jwt\\($svc:auth\\): refused token for user=\"alice\": expired: token expired [0-9]+ s ago"

	mint tok --key "$K/p2562.priv.pem" --alg ES256 --kid p256-kid
	log_mark
	drive "$svc" alice "$tok"
	log_has "$svc: bad signature logged as \"signature\"" "refused token for user=\"alice\": signature: "
	cli_agrees "$svc: bad signature" "$svc" alice "$tok" "$(dr_accepted)"

	mint tok --key "$K/rsa.priv.pem" --alg RS256 --kid rsa-kid --sub bob
	log_mark
	drive "$svc" alice "$tok"
	log_has "$svc: another user's token logged as \"user\"" \
		"refused token for user=\"alice\": user: .*bob.*sub=\"bob\""
	cli_agrees "$svc: another user's token" "$svc" alice "$tok" "$(dr_accepted)"
done

# A password: PAM_IGNORE; with debug, one debug line, never the password.
PASSWORD=Correct-Horse-Battery-Staple-7
echo "$PASSWORD" >>"$T/secrets"
log_mark
drive plain alice "$PASSWORD"
ok "plain: a password logs nothing" eval '[ "$(log_lines)" -eq 0 ]'
log_mark
drive debug alice "$PASSWORD"
log_has "debug: a password is logged as not a token, at debug" "^<7> .*answer is not a token"

# A configuration error is logged at LOG_ERR.
mint tok --key "$K/rsa.priv.pem" --alg RS256 --kid rsa-kid
log_mark
drive broken alice "$tok"
dr_is "broken config: refused" "$PAM_AUTHINFO_UNAVAIL"
log_has "broken config: logged at error with the reason" \
	"^<3> .*configuration error, refusing: .*unknown option \"frobnicate\""

# Hostile values from the token are made safe in the log: no line break,
# no quote, cut when long.
mint tok --key "$K/rsa.priv.pem" --alg RS256 --kid 'rsa"kid' \
	--claims '{"sub":"alice\nFORGED accepted token for user=root","jti":"j\u001b[31m"}'
log_mark
drive debug alice "$tok"
cli_agrees "hostile sub, kid, jti" debug alice "$tok" "$(dr_accepted)"
ok "hostile sub: one log line, no forged line" eval '[ "$(log_lines)" -eq 1 ] &&
	! log_since | grep -q "^FORGED"'
ok "hostile sub/kid/jti: no control character or quote in values" eval \
	'! log_since | grep -qP "[\\x00-\\x08\\x0b-\\x1f\\x7f]|kid=rsa\"kid"'
long=$(printf 'x%.0s' {1..3000})
mint tok --key "$K/rsa.priv.pem" --alg RS256 --kid rsa-kid --sub "$long"
log_mark
drive debug alice "$tok"
cli_agrees "a 3000-byte sub" debug alice "$tok" "$(dr_accepted)"
ok "a 3000-byte sub is cut in the log" eval '[ "$(log_since | wc -c)" -lt 1500 ]'

# With debug on, nothing of any token appeared either.
# PJ_DUMP_LOG=1 shows the (redacted) log on stderr.
if [ -n "${PJ_DUMP_LOG:-}" ]; then pj_redact <"$PJ_LOG" >&2; fi
check_log_clean "no token, token part, signature or password in the module's log"

done_testing
