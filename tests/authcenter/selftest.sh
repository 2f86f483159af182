#!/bin/bash
# Self-test of the test auth center: start it, mint tokens of each kind,
# check them against the published JWKS, rotate keys, count requests, stop.
# Needs `npm ci` done in this directory. Exits non-zero on any failure.
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
AC=$HERE/ac.sh
STATE=$(mktemp -d)
pass=0
fail=0

cleanup() {
	"$AC" stop "$STATE"
	rm -rf "$STATE"
}
trap cleanup EXIT

check() {
	local what=$1
	shift
	if "$@"; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "FAIL: $what" >&2
	fi
}

# Verify TOKEN's signature with the JWKS at the issuer and print
# "ALG KID" then the payload JSON; fail if no published key verifies it.
inspect() {
	# shellcheck disable=SC2016
	curl -sS --cacert "$STATE/ca.pem" "$(cat "$STATE/issuer")/jwks" |
		node -e '
const crypto = require("node:crypto");
const [h, p, s] = process.argv[1].split(".");
const dec = (x) => JSON.parse(Buffer.from(x, "base64url"));
let jwks = ""; process.stdin.on("data", (c) => { jwks += c; }).on("end", () => {
  const hdr = dec(h);
  const jwk = JSON.parse(jwks).keys.find((k) => k.kid === hdr.kid);
  if (!jwk) process.exit(1);
  const hash = { RS256: "sha256", ES256: "sha256", EdDSA: null }[hdr.alg];
  const ok = crypto.verify(hash, Buffer.from(`${h}.${p}`),
    { key: crypto.createPublicKey({ key: jwk, format: "jwk" }), dsaEncoding: "ieee-p1363" },
    Buffer.from(s, "base64url"));
  if (!ok || hdr.typ !== "at+jwt") process.exit(1);
  console.log(`${hdr.alg} ${hdr.kid}`);
  console.log(JSON.stringify(dec(p)));
});' "$1"
}

kids() {
	curl -sS --cacert "$STATE/ca.pem" "$(cat "$STATE/issuer")/jwks" |
		grep -o '"kid":"[^"]*"' | cut -d'"' -f4
}

has() { grep -qF -- "$2" <<<"$1"; }
lacks() { ! has "$@"; }
# true when the line lists $1 and $2 share no line
disjoint() { ! grep -qFx -f <(echo "$1") <<<"$2"; }

# exp - iat of the payload line of inspect's output
lifetime() {
	local v
	v=$(sed -n 's/.*"iat":\([0-9]*\),"exp":\([0-9]*\).*/\2-\1/p' <<<"$1")
	echo $((v))
}

iss=$("$AC" start "$STATE" --ttl 120)
check "issuer printed and stored" test "$iss" = "$(cat "$STATE/issuer")"
check "issuer form" has "$iss" "https://127.0.0.1:$(cat "$STATE/port")"
disc=$(curl -sS --cacert "$STATE/ca.pem" "$iss/.well-known/openid-configuration")
check "discovery issuer" has "$disc" "\"issuer\":\"$iss\""
check "discovery jwks_uri" has "$disc" "\"jwks_uri\":\"$iss/jwks\""

for alg in RS256 ES256 EdDSA; do
	tok=$("$AC" mint "$STATE" --user alice --audience "https://$alg.example" --alg "$alg" --scope "sudo ssh")
	out=$(inspect "$tok")
	check "$alg token verifies" test -n "$out"
	check "$alg header alg" has "$out" "$alg "
	check "$alg claims" has "$out" "\"preferred_username\":\"alice\",\"groups\":[\"admins\",\"devs\"]"
	check "$alg sub" has "$out" '"sub":"alice"'
	check "$alg iss" has "$out" "\"iss\":\"$iss\""
	check "$alg aud" has "$out" "\"aud\":\"https://$alg.example\""
	check "$alg scope" has "$out" '"scope":"sudo ssh"'
done

out=$(inspect "$("$AC" mint "$STATE" --user zed --audience https://h.example --ttl 30)")
check "unknown user: RS256 by default" has "$out" "RS256 "
check "unknown user: no groups" lacks "$out" groups
check "mint --ttl 30" test "$(lifetime "$out")" = 30

out=$(inspect "$("$AC" robot "$STATE" --audience https://ci.example)")
check "robot sub" has "$out" '"sub":"robot-deploy"'
check "robot lifetime from start --ttl" test "$(lifetime "$out")" = 120

old=$(kids)
"$AC" stats "$STATE" --reset
curl -sS --cacert "$STATE/ca.pem" -o /dev/null "$iss/jwks"
curl -sS --cacert "$STATE/ca.pem" -o /dev/null "$iss/.well-known/openid-configuration"
check "stats count" has "$("$AC" stats "$STATE")" '"discovery":1,"jwks":1'

check "rotate keeps the issuer" test "$("$AC" rotate "$STATE")" = "$iss"
new=$(kids)
check "rotate: three new kids" test "$(wc -l <<<"$new")" = 3
check "rotate: old kids gone" disjoint "$old" "$new"
"$AC" rotate "$STATE" --keep-old >/dev/null
both=$(kids)
check "rotate --keep-old: six keys" test "$(wc -l <<<"$both")" = 6
check "rotate --keep-old: previous kids kept" test "$(tail -n 3 <<<"$both")" = "$new"
out=$(inspect "$("$AC" mint "$STATE" --user bob --audience https://h.example --alg ES256)")
check "signs with the newest key" has "$(head -n 3 <<<"$both")" "$(head -n 1 <<<"$out" | cut -d' ' -f2)"

pid=$(cat "$STATE/pid")
"$AC" stop "$STATE"
check "stopped" test ! -e "/proc/$pid/cmdline" -o -z "$(tr -d '\0' <"/proc/$pid/cmdline" 2>/dev/null)"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
