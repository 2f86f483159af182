#!/usr/bin/env bash
# Self-check of the jose-tools: generate keys for every alg, mint tokens, and
# verify each token twice: with jose's jwtVerify (verify.mjs) and with the
# openssl CLI over the raw signing input.  Also checks the shape of the
# alg=none and HS/public-key confusion tokens, --target-len, sign-raw, the
# <2048-bit RSA path and the error handling.
#
# Usage: bash selftest.sh        (runs `npm ci` first if node_modules is missing)
# Ends with a line "N passed, N failed"; exit status 0 only if nothing failed.

set -u
HERE=$(cd "$(dirname "$0")" && pwd)
cd "$HERE" || exit 2

if [ ! -f node_modules/jose/package.json ]; then
  echo "# node_modules missing: running npm ci"
  npm ci --no-audit --no-fund --ignore-scripts >/dev/null || { echo "npm ci failed" >&2; exit 2; }
fi

TMP=$(mktemp -d "${TMPDIR:-/tmp}/jose-tools-selftest.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

PASS=0
FAIL=0
ok()   { PASS=$((PASS + 1)); echo "ok   - $*"; }
fail() { FAIL=$((FAIL + 1)); echo "FAIL - $*"; }
check() { # check DESC CMD...
  local desc=$1; shift
  if "$@" >"$TMP/out" 2>"$TMP/err"; then ok "$desc"; else fail "$desc"; sed 's/^/#   /' "$TMP/err" "$TMP/out" | head -20; fi
}
check_fails() { # check_fails DESC CMD...  (command must exit non-zero and say something on stderr)
  local desc=$1; shift
  if "$@" >"$TMP/out" 2>"$TMP/err"; then fail "$desc (unexpectedly succeeded)";
  elif [ ! -s "$TMP/err" ]; then fail "$desc (no error message)";
  else ok "$desc"; fi
}

# base64url -> raw bytes, using only coreutils
b64u_dec() {
  local s
  s=$(printf '%s' "$1" | tr '_-' '/+')
  case $(( ${#s} % 4 )) in 2) s="$s==" ;; 3) s="$s=" ;; esac
  printf '%s' "$s" | base64 -d
}

# openssl_verify ALG PUBPEM TOKEN  -- verify a compact JWS with the openssl CLI only
openssl_verify() {
  local alg=$1 pub=$2 tok=$3 h p s bits
  IFS=. read -r h p s <<<"$tok"
  printf '%s.%s' "$h" "$p" >"$TMP/ov.in"
  b64u_dec "$s" >"$TMP/ov.sig"
  bits=${alg:2}
  case $alg in
    RS*) openssl dgst "-sha$bits" -verify "$pub" -signature "$TMP/ov.sig" "$TMP/ov.in" ;;
    PS*) openssl dgst "-sha$bits" -verify "$pub" -sigopt rsa_padding_mode:pss \
           -sigopt rsa_pss_saltlen:digest -signature "$TMP/ov.sig" "$TMP/ov.in" ;;
    ES*) # JOSE r||s (fixed length) -> DER ECDSA-Sig-Value, built by openssl asn1parse
         local hex half
         hex=$(od -An -v -tx1 "$TMP/ov.sig" | tr -d ' \n')
         half=$(( ${#hex} / 2 ))
         printf 'asn1=SEQUENCE:sig\n[sig]\nr=INTEGER:0x%s\ns=INTEGER:0x%s\n' \
           "${hex:0:$half}" "${hex:$half}" >"$TMP/ov.conf"
         openssl asn1parse -genconf "$TMP/ov.conf" -out "$TMP/ov.der" >/dev/null &&
         openssl dgst "-sha$bits" -verify "$pub" -signature "$TMP/ov.der" "$TMP/ov.in" ;;
    EdDSA|Ed25519)
         openssl pkeyutl -verify -pubin -inkey "$pub" -rawin -in "$TMP/ov.in" -sigfile "$TMP/ov.sig" ;;
    *) echo "openssl_verify: no rule for $alg" >&2; return 1 ;;
  esac
}

# openssl_hmac ALG KEYFILE TOKEN -- recompute an HS* signature with openssl, compare
openssl_hmac() {
  local alg=$1 keyfile=$2 tok=$3 h p s hexkey mac want
  IFS=. read -r h p s <<<"$tok"
  hexkey=$(od -An -v -tx1 "$keyfile" | tr -d ' \n')
  mac=$(printf '%s.%s' "$h" "$p" | openssl dgst "-sha${alg:2}" -mac HMAC -macopt "hexkey:$hexkey" -binary | base64 -w0 | tr '/+' '_-' | tr -d '=')
  [ "$mac" = "$s" ] || { echo "HMAC mismatch: openssl=$mac token=$s" >&2; return 1; }
}

# the helpers are also used inside `bash -c` checks below
export TMP
export -f b64u_dec openssl_verify openssl_hmac

one_line() { # the tool's stdout must be exactly one newline-terminated line
  [ "$(wc -l <"$1")" -eq 1 ] && [ "$(tail -c1 "$1" | od -An -tx1 | tr -d ' ')" = "0a" ]
}

# jose and openssl both verify TOKEN_FILE; also check the header
verify_both() { # verify_both ALG PREFIX TOKFILE DESC [verify.mjs extra args]
  local alg=$1 pre=$2 tf=$3 desc=$4; shift 4
  local tok; tok=$(cat "$tf")
  check "$desc: one line on stdout" one_line "$tf"
  check "$desc: jose jwtVerify with .pub.jwk" node verify.mjs --key "$pre.pub.jwk" --alg "$alg" "$@" "$tok"
  check "$desc: jose jwtVerify with .pub.pem" node verify.mjs --key "$pre.pub.pem" --alg "$alg" "$@" "$tok"
  check "$desc: openssl verifies signature" openssl_verify "$alg" "$pre.pub.pem" "$tok"
}

printf 'a-raw-secret-of-32-bytes-exactly' >"$TMP/secret"
ALGS="RS256 RS384 RS512 PS256 PS384 PS512 ES256 ES384 ES512 EdDSA"
NOW=$(date +%s)

echo "# keygen + mint + verify for every alg"
for alg in $ALGS; do
  pre="$TMP/k-$alg"
  check "$alg: keygen" node keygen.mjs "$alg" "$pre" --kid "kid-$alg" --quiet
  for f in priv.jwk pub.jwk pub.pem priv.pem; do
    [ -s "$pre.$f" ] || fail "$alg: keygen wrote $pre.$f"
  done
  check "$alg: pub.jwk has kid and no alg, no private members" \
    node -e 'const j=JSON.parse(require("fs").readFileSync(process.argv[1],"utf8")); if(j.kid!==process.argv[2]||"alg" in j||["d","p","q","dp","dq","qi","k"].some(m=>m in j)) {console.error(JSON.stringify(j));process.exit(1)}' \
    "$pre.pub.jwk" "kid-$alg"
  check "$alg: openssl reads priv.pem" openssl pkey -in "$pre.priv.pem" -noout
  check "$alg: openssl reads pub.pem" openssl pkey -pubin -in "$pre.pub.pem" -noout

  for eng in jose node; do
    for keyf in priv.jwk priv.pem; do
      tf="$TMP/t-$alg-$eng-$keyf"
      if node mint.mjs --key "$pre.$keyf" --alg "$alg" --kid "kid-$alg" --engine "$eng" \
           --iss https://issuer.test --aud pam --sub alice >"$tf" 2>"$TMP/err"; then
        ok "$alg: mint (engine $eng, key $keyf)"
        verify_both "$alg" "$pre" "$tf" "$alg/$eng/$keyf" --iss https://issuer.test --aud pam
      else
        fail "$alg: mint (engine $eng, key $keyf)"; sed 's/^/#   /' "$TMP/err"
      fi
    done
  done
  other=k-ES256; [ "$alg" = ES256 ] && other=k-ES384
  check "$alg: openssl rejects the token with another public key" \
    bash -c '! openssl_verify "$1" "$2" "$(cat "$3")" >/dev/null 2>&1' _ "$alg" "$TMP/$other.pub.pem" "$TMP/t-$alg-jose-priv.jwk"
done

echo "# JWKS with all keys, kid selection by jose"
node jwks.mjs $(for a in $ALGS; do echo "$TMP/k-$a.pub.jwk"; done) >"$TMP/jwks.json"
check "jwks: 10 keys" node -e 'const j=JSON.parse(require("fs").readFileSync(process.argv[1],"utf8")); if(j.keys.length!==10) process.exit(1)' "$TMP/jwks.json"
for alg in $ALGS; do
  check "$alg: jose verifies via JWKS (kid lookup)" node verify.mjs --jwks "$TMP/jwks.json" "$(cat "$TMP/t-$alg-jose-priv.jwk")"
done
check_fails "jwks refuses a private JWK" node jwks.mjs "$TMP/k-ES256.priv.jwk"

echo "# determinism: RS256 jose and node:crypto produce the same token"
check "RS256 jose == node" bash -c '
  a=$(node mint.mjs --key "$1" --alg RS256 --now 1000 --engine jose) &&
  b=$(node mint.mjs --key "$1" --alg RS256 --now 1000 --engine node) && [ "$a" = "$b" ]' _ "$TMP/k-RS256.priv.pem"

echo "# Ed25519 (fully specified alg name) and PEM formats"
check "Ed25519 alg: mint + jose verify" bash -c '
  t=$(node mint.mjs --key "$1.priv.jwk" --alg Ed25519) && node verify.mjs --key "$1.pub.jwk" --alg Ed25519 "$t"' _ "$TMP/k-EdDSA"
check "EdDSA JWK is kty OKP crv Ed25519" \
  node -e 'const j=JSON.parse(require("fs").readFileSync(process.argv[1],"utf8")); if(j.kty!=="OKP"||j.crv!=="Ed25519"||!j.x) process.exit(1)' "$TMP/k-EdDSA.pub.jwk"

echo "# claims and times"
node mint.mjs --key "$TMP/k-ES256.priv.jwk" --alg ES256 --now 1000000 --exp-in -60 --nbf-in 10 --iat-in -5 \
  --iss I --sub S --aud A1 --aud A2 --claims '{"sub":"override","n":1}' --del-claim n >"$TMP/claims.tok"
check "claims: exact payload" bash -c '
  p=$(cut -d. -f2 "$1"); [ "$(node b64url.mjs -d <<<"$p")" = "{\"iss\":\"I\",\"sub\":\"override\",\"aud\":[\"A1\",\"A2\"],\"iat\":999995,\"nbf\":1000010,\"exp\":999940}" ]' _ "$TMP/claims.tok"
check_fails "claims: expired token rejected by jose" node verify.mjs --key "$TMP/k-ES256.pub.jwk" "$(cat "$TMP/claims.tok")"
check "claims: --no-exp --no-iat gives {}" bash -c '
  t=$(node mint.mjs --key "$1" --alg ES256 --no-exp --no-iat) && [ "$(cut -d. -f2 <<<"$t")" = "e30" ]' _ "$TMP/k-ES256.priv.pem"
check "header: --header merges, --typ, --del-header" bash -c '
  t=$(node mint.mjs --key "$1" --alg ES256 --typ at+jwt --kid K --header "{\"jku\":\"https://x.test/j\",\"kid\":\"K2\"}" --del-header typ) &&
  [ "$(cut -d. -f1 <<<"$t" | node b64url.mjs -d)" = "{\"alg\":\"ES256\",\"kid\":\"K2\",\"jku\":\"https://x.test/j\"}" ]' _ "$TMP/k-ES256.priv.pem"
check "header: crit extension is signed and jose verifies when told it is understood" bash -c '
  t=$(node mint.mjs --key "$1.priv.jwk" --alg RS256 --header "{\"crit\":[\"x\"],\"x\":1}" --engine jose) &&
  node verify.mjs --key "$1.pub.jwk" --crit x "$t" >/dev/null &&
  ! node verify.mjs --key "$1.pub.jwk" "$t" 2>/dev/null' _ "$TMP/k-RS256"
check "header: malformed crit falls back to node:crypto, openssl verifies" bash -c '
  t=$(node mint.mjs --key "$1.priv.jwk" --alg ES384 --header "{\"crit\":[\"alg\",7]}") && openssl_verify ES384 "$1.pub.pem" "$t"' _ "$TMP/k-ES384"
check "header: alg mismatch (header PS256, signed RS256) via node:crypto" bash -c '
  t=$(node mint.mjs --key "$1.priv.pem" --alg RS256 --header "{\"alg\":\"PS256\"}") &&
  openssl_verify RS256 "$1.pub.pem" "$t" && [ "$(cut -d. -f1 <<<"$t" | node b64url.mjs -d)" = "{\"alg\":\"PS256\",\"typ\":\"JWT\"}" ]' _ "$TMP/k-RS256"
check "--corrupt-sig: jose rejects, openssl rejects" bash -c '
  t=$(node mint.mjs --key "$1.priv.pem" --alg ES256 --corrupt-sig) &&
  ! node verify.mjs --key "$1.pub.pem" "$t" 2>/dev/null && ! openssl_verify ES256 "$1.pub.pem" "$t" >/dev/null 2>&1' _ "$TMP/k-ES256"

echo "# sizes"
check "--pad-claim 4000" bash -c '
  t=$(node mint.mjs --key "$1" --alg ES256 --pad-claim 4000 --no-iat --no-exp) &&
  [ "$(cut -d. -f2 <<<"$t" | node b64url.mjs -d)" = "{\"pad\":\"$(printf "%4000s" | tr " " x)\"}" ]' _ "$TMP/k-ES256.priv.pem"
# base64url never yields a length of 4k+1, so of 4 consecutive target lengths
# exactly 3 are reachable by padding the payload; the 4th must be refused cleanly.
for alg in RS256 ES512 EdDSA HS256; do
  check "--target-len 4094..4097 ($alg): 3 exact + verifying, 1 refused" bash -c '
    alg=$1 pre=$2 hit=0 miss=0
    if [ "$alg" = HS256 ]; then k=(--secret-file "$3"); v=(--secret-file "$3"); else k=(--key "$pre.priv.pem"); v=(--key "$pre.pub.pem"); fi
    for n in 4094 4095 4096 4097; do
      if t=$(node mint.mjs "${k[@]}" --alg "$alg" --target-len "$n" 2>"$4"); then
        [ "${#t}" -eq "$n" ] && node verify.mjs "${v[@]}" "$t" >/dev/null || exit 1
        hit=$((hit + 1))
      else
        grep -q "not reachable" "$4" || exit 1
        miss=$((miss + 1))
      fi
    done
    [ $hit -eq 3 ] && [ $miss -eq 1 ]' _ "$alg" "$TMP/k-$alg" "$TMP/secret" "$TMP/tl.err"
done
check "--target-len 4096 for RS256 (a common limit) is exact" bash -c '
  t=$(node mint.mjs --key "$1" --alg RS256 --target-len 4096) && [ "${#t}" -eq 4096 ]' _ "$TMP/k-RS256.priv.jwk"
check_fails "--target-len smaller than the minimal token is refused" \
  node mint.mjs --key "$TMP/k-RS256.priv.pem" --alg RS256 --target-len 100

echo "# RSA < 2048 bits"
check "keygen --bits 1024" node keygen.mjs RS256 "$TMP/small" --bits 1024 --quiet
check "1024-bit key really is 1024 bits" bash -c 'openssl pkey -pubin -in "$1" -noout -text | grep -q "(1024 bit)"' _ "$TMP/small.pub.pem"
check "mint with 1024-bit key (node:crypto fallback), openssl verifies" bash -c '
  t=$(node mint.mjs --key "$1.priv.jwk" --alg RS256) && openssl_verify RS256 "$1.pub.pem" "$t"' _ "$TMP/small"
check_fails "jose itself refuses 1024-bit key (--engine jose)" node mint.mjs --key "$TMP/small.priv.jwk" --alg RS256 --engine jose
check_fails "jose's jwtVerify refuses 1024-bit token" bash -c '
  node verify.mjs --key "$1.pub.pem" "$(node mint.mjs --key "$1.priv.pem" --alg PS256)"' _ "$TMP/small"
check "keygen --bits 3072" node keygen.mjs PS384 "$TMP/big" --bits 3072 --quiet --pin-alg
check "--pin-alg puts alg into JWK" node -e 'const j=JSON.parse(require("fs").readFileSync(process.argv[1],"utf8")); if(j.alg!=="PS384") process.exit(1)' "$TMP/big.pub.jwk"

echo "# HMAC"
for alg in HS256 HS384 HS512; do
  check "$alg: mint with --secret-file, openssl HMAC matches, jose verifies" bash -c '
    node mint.mjs --alg "$1" --secret-file "$2" >"$3" && openssl_hmac "$1" "$2" "$(cat "$3")" &&
    node verify.mjs --secret-file "$2" --alg "$1" "$(cat "$3")" >/dev/null' _ "$alg" "$TMP/secret" "$TMP/hs.tok"
done
printf 'k' >"$TMP/short"
check "HS256 with a 1-byte secret (node fallback if jose refuses), openssl matches" bash -c '
  t=$(node mint.mjs --alg HS256 --secret-file "$1") && openssl_hmac HS256 "$1" "$t"' _ "$TMP/short"

echo "# alg confusion (HS256 keyed with the public key PEM)"
node hs-confusion.mjs --pub "$TMP/k-RS256.pub.pem" --sub root --kid kid-RS256 >"$TMP/conf.tok"
check "hs-confusion: one line" one_line "$TMP/conf.tok"
check "hs-confusion: header is HS256 with kid" bash -c '
  [ "$(cut -d. -f1 "$1" | node b64url.mjs -d)" = "{\"alg\":\"HS256\",\"typ\":\"JWT\",\"kid\":\"kid-RS256\"}" ]' _ "$TMP/conf.tok"
check "hs-confusion: 43-char HMAC-SHA256 signature" bash -c '[ "$(cut -d. -f3 "$1" | tr -d "\n" | wc -c)" -eq 43 ]' _ "$TMP/conf.tok"
check "hs-confusion: HMAC key is exactly the .pub.pem bytes (openssl)" openssl_hmac HS256 "$TMP/k-RS256.pub.pem" "$(cat "$TMP/conf.tok")"
check "hs-confusion == mint --hs-with-pubkey" bash -c '
  a=$(node hs-confusion.mjs --pub "$1" --now 5 --alg HS512) && b=$(node mint.mjs --hs-with-pubkey "$1" --alg HS512 --now 5) && [ "$a" = "$b" ]' _ "$TMP/k-ES256.pub.pem"
check "hs-confusion --trim-secret: key is PEM without trailing newline" bash -c '
  head -c -1 "$1" >"$2" && openssl_hmac HS256 "$2" "$(node hs-confusion.mjs --pub "$1" --trim-secret)"' _ "$TMP/k-RS256.pub.pem" "$TMP/trimmed.pem"
check_fails "hs-confusion token is rejected by jose for the RSA public key" \
  node verify.mjs --key "$TMP/k-RS256.pub.pem" "$(cat "$TMP/conf.tok")"

echo "# alg none"
node mint.mjs --alg none --sub root --now 100 >"$TMP/none.tok"
check "none: one line" one_line "$TMP/none.tok"
check "none: shape header.payload. with empty signature" bash -c '
  t=$(cat "$1"); [ "${t: -1}" = "." ] && [ "$(tr -cd . <<<"$t")" = ".." ] &&
  [ "$(cut -d. -f1 <<<"$t" | node b64url.mjs -d)" = "{\"alg\":\"none\",\"typ\":\"JWT\"}" ] &&
  [ "$(cut -d. -f2 <<<"$t" | node b64url.mjs -d)" = "{\"sub\":\"root\",\"iat\":100,\"exp\":400}" ]' _ "$TMP/none.tok"
check_fails "none: jose refuses it" node verify.mjs --key "$TMP/k-RS256.pub.pem" "$(cat "$TMP/none.tok")"

echo "# sign-raw over hand-made (non-JSON) header bytes"
for alg in $ALGS; do
  check "$alg: sign-raw over invalid-JSON header, openssl verifies" bash -c '
    h=$(printf "{\"alg\":\"%s\"," "$1" | node b64url.mjs) && p=$(printf "{\"sub\":\"x\"}" | node b64url.mjs) &&
    s=$(printf "%s.%s" "$h" "$p" | node sign-raw.mjs --alg "$1" --key "$2.priv.pem") &&
    openssl_verify "$1" "$2.pub.pem" "$h.$p.$s"' _ "$alg" "$TMP/k-$alg"
done
check "sign-raw == mint signature (RS512, deterministic)" bash -c '
  t=$(node mint.mjs --key "$1" --alg RS512 --now 7) &&
  s=$(printf "%s" "${t%.*}" | node sign-raw.mjs --alg RS512 --key "$1") && [ "$s" = "${t##*.}" ]' _ "$TMP/k-RS256.priv.jwk"
check "sign-raw HS256 matches openssl" bash -c '
  s=$(printf "abc.def" | node sign-raw.mjs --alg HS256 --secret-file "$1") && openssl_hmac HS256 "$1" "abc.def.$s"' _ "$TMP/secret"
check "sign-raw ES512 signature is 132 bytes (r||s)" bash -c '
  [ "$(printf x | node sign-raw.mjs --alg ES512 --key "$1" --raw | wc -c)" -eq 132 ]' _ "$TMP/k-ES512.priv.pem"

echo "# error handling"
check_fails "mint: missing --alg" node mint.mjs --key "$TMP/k-RS256.priv.pem"
check_fails "mint: unknown option" node mint.mjs --alg RS256 --key "$TMP/k-RS256.priv.pem" --bogus
check_fails "mint: bad --claims JSON" node mint.mjs --alg RS256 --key "$TMP/k-RS256.priv.pem" --claims '{nope'
check_fails "mint: EC key for RS256" node mint.mjs --alg RS256 --key "$TMP/k-ES256.priv.pem"
check_fails "mint: P-256 key for ES384" node mint.mjs --alg ES384 --key "$TMP/k-ES256.priv.jwk"
check_fails "mint: public key as --key" node mint.mjs --alg RS256 --key "$TMP/k-RS256.pub.pem"
check_fails "mint: missing key file" node mint.mjs --alg RS256 --key "$TMP/nope.pem"
check_fails "mint: HS256 without secret" node mint.mjs --alg HS256
check_fails "mint: unsupported alg" node mint.mjs --alg XS256 --key "$TMP/k-RS256.priv.pem"
check_fails "keygen: unsupported alg" node keygen.mjs HS256 "$TMP/x"
check_fails "keygen: --bits on EC" node keygen.mjs ES256 "$TMP/x" --bits 2048
check_fails "sign-raw: no key" node sign-raw.mjs --alg RS256
check_fails "hs-confusion: no --pub" node hs-confusion.mjs --sub x

echo "$PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]
