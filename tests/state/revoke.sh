#!/bin/bash
# The revocation list through PAM and pam-jwt revoke: one token by jti,
# every token of a subject issued before a time, per issuer; the file is
# read at every login; pam-jwt revoke edits it atomically and refuses bad
# values; a malformed list refuses every login.
set -u
. "$top_srcdir/tests/integration/common.sh"
pj_require_built
pj_require_node
pj_require_drive
pj_setup
pj_keys

K=$T/keys
R=$T/conf/revoked
: >"$R"
chmod 644 "$R"
c=$(conf rev "jwks_file = $K/jwks.json" "revocation_file = $R")
jwt_service rev "$c"
now=$(date +%s)

mint tok_a --key "$K/p256.priv.jwk" --alg ES256 --kid p256-kid --claims '{"jti":"tok-a"}'
mint tok_b --key "$K/p256.priv.jwk" --alg ES256 --kid p256-kid --claims '{"jti":"tok-b"}'
drive rev alice "$tok_a"
dr_is "empty list: token a accepted" 0

# ---- by jti ---------------------------------------------------------------
out=$("$PJ_CLI" revoke --jti tok-a --config "$c" 2>&1)
is "pam-jwt revoke --jti: exit 0" "$?" 0
ok "pam-jwt revoke --jti: says what it revoked" grep -q '^revoked: jti=tok-a' <<<"$out"
ok "the list holds the line" grep -qx 'jti=tok-a' "$R"
ok "the list stays 0644 root-owned (written atomically)" \
	test "$(stat -c '%a %u' "$R")" = "644 0"
log_mark
drive rev alice "$tok_a"
dr_is "token a after revoke --jti: refused" 7
log_has "the reason says revoked, with the line" 'revoked: token revoked by .*revoked:1'
drive rev alice "$tok_b"
dr_is "token b (another jti): still accepted" 0

# ---- every token of a subject issued before a time ----------------------
"$PJ_CLI" revoke --sub alice --before $((now + 5)) --file "$R" >/dev/null
is "pam-jwt revoke --sub --before: exit 0" "$?" 0
drive rev alice "$tok_b"
dr_is "alice's token issued before: refused" 7
mint later --key "$K/p256.priv.jwk" --alg ES256 --kid p256-kid --iat-in 30 --claims '{"jti":"tok-c"}'
drive rev alice "$later"
dr_is "alice's token issued after the time: accepted" 0
mint bobs --key "$K/p256.priv.jwk" --alg ES256 --kid p256-kid --sub bob --claims '{"jti":"tok-d"}'
drive rev bob "$bobs"
dr_is "bob's token: not affected" 0

# ---- per issuer ---------------------------------------------------------
"$PJ_CLI" revoke --jti tok-d --iss https://other.example --file "$R" >/dev/null
drive rev bob "$bobs"
dr_is "a revocation for another issuer does not touch this one" 0
"$PJ_CLI" revoke --jti tok-d --iss "$PJ_ISS" --file "$R" >/dev/null
drive rev bob "$bobs"
dr_is "a revocation for this issuer does" 7

# ---- pam-jwt revoke refuses bad input -------------------------------------
"$PJ_CLI" revoke --jti 'a b' --file "$R" >/dev/null 2>&1
is "revoke: a value with a space: exit 2" "$?" 2
"$PJ_CLI" revoke --jti x --sub y --file "$R" >/dev/null 2>&1
is "revoke: both --jti and --sub: exit 2" "$?" 2
"$PJ_CLI" revoke --jti x --before 5 --file "$R" >/dev/null 2>&1
is "revoke: --before with --jti: exit 2" "$?" 2
"$PJ_CLI" revoke --sub x --before soon --file "$R" >/dev/null 2>&1
is "revoke: --before not a time: exit 2" "$?" 2
"$PJ_CLI" revoke --sub x --before "" --file "$R" >/dev/null 2>&1
is "revoke: --before empty: exit 2 (not the epoch)" "$?" 2
before_lines=$(wc -l <"$R")
out=$("$PJ_CLI" revoke --jti "$(printf 'j%.0s' $(seq 3000))" --file "$R" 2>&1)
is "revoke: a jti too long for one line: exit 2" "$?" 2
ok "revoke: a jti too long: says so" grep -q 'too long for one revocation line' <<<"$out"
is "revoke: a jti too long: nothing written (not a shortened jti)" "$(wc -l <"$R")" "$before_lines"
c2=$(conf norev "jwks_file = $K/jwks.json")
"$PJ_CLI" revoke --jti x --config "$c2" >/dev/null 2>&1
is "revoke: a configuration without revocation_file: exit 2" "$?" 2

# ---- a malformed or unsafe list fails closed ----------------------------
cp "$R" "$T/good"
echo "this is not a rule" >>"$R"
mint tok_e --key "$K/p256.priv.jwk" --alg ES256 --kid p256-kid --sub bob --claims '{"jti":"tok-e"}'
log_mark
drive rev bob "$tok_e"
dr_is "a malformed list: refused (unavailable)" 9
log_has "the reason names the file and line" 'revoked:[0-9]+: expected jti=ID'
cp "$T/good" "$R"
chmod 666 "$R"
drive rev bob "$tok_e"
dr_is "a world-writable list: refused (unavailable)" 9
chmod 644 "$R"
drive rev bob "$tok_e"
dr_is "the list repaired: accepted" 0

# ---- pam-jwt check reads the list as a login does ---------------------------
out=$("$PJ_CLI" check --config "$c" 2>&1)
is "check: a good list: exit 0" "$?" 0
ok "check: names the list it read" grep -q "revocation list $R" <<<"$out"
echo "this is not a rule" >>"$R"
out=$("$PJ_CLI" check --config "$c" 2>&1)
is "check: a malformed list (every login fails): exit 2, not \"good\"" "$?" 2
ok "check: says which line" grep -q 'revoked:[0-9]*: expected jti=ID' <<<"$out"
cp "$T/good" "$R"
chmod 666 "$R"
"$PJ_CLI" check --config "$c" >/dev/null 2>&1
is "check: a world-writable list: exit 2" "$?" 2
chmod 644 "$R"
c3=$(conf gone "jwks_file = $K/jwks.json" "revocation_file = $T/conf/no-such-list")
"$PJ_CLI" check --config "$c3" >/dev/null 2>&1
is "check: a missing list: exit 2" "$?" 2

# ---- trailing comments: the README's example is a valid list -------------
# The example is taken from README.md itself, so the docs and the parser
# cannot drift apart.
awk '/`revocation_file` lists revoked tokens/ { want = 1 }
	want && /^```$/ { if (inside) exit; inside = 1; next }
	inside { print }' "$top_srcdir/README.md" >"$R"
ok "the README's example has lines with trailing comments" grep -q '^jti=4f2a9c  *# ' "$R"
out=$("$PJ_CLI" check --config "$c" 2>&1)
is "check: the README's example list is good" "$?" 0
mint tok_r --key "$K/p256.priv.jwk" --alg ES256 --kid p256-kid --sub bob --claims '{"jti":"4f2a9c"}'
drive rev bob "$tok_r"
dr_is "the README's example: the revoked jti (line with a trailing comment) is refused" 7
mint tok_m --key "$K/p256.priv.jwk" --alg ES256 --kid p256-kid --sub mallory --claims '{"jti":"m-1"}'
printf 'mallory:x:1003:1003::/:/bin/sh\n' >>"$T/passwd"
drive rev mallory "$tok_m"
dr_is "the README's example: every token of sub=mallory is refused" 7
mint tok_f --key "$K/p256.priv.jwk" --alg ES256 --kid p256-kid --sub bob --claims '{"jti":"fresh-1"}'
drive rev bob "$tok_f"
dr_is "the README's example: a token it does not name is accepted" 0
# '#' starts a comment only as a word of its own start: inside a value it
# is part of the value
printf 'jti=a#b\n' >"$R"
mint tok_h --key "$K/p256.priv.jwk" --alg ES256 --kid p256-kid --sub bob --claims '{"jti":"a#b"}'
drive rev bob "$tok_h"
dr_is "a '#' inside a value is part of it (jti=a#b revokes jti a#b)" 7
mint tok_a2 --key "$K/p256.priv.jwk" --alg ES256 --kid p256-kid --sub bob --claims '{"jti":"a"}'
drive rev bob "$tok_a2"
dr_is "a '#' inside a value is part of it (jti=a#b does not revoke jti a)" 0

check_log_clean "nothing secret in the log"
done_testing
