#!/bin/sh
# Regenerate tests/unit/fixtures/ for the cmocka unit tests.
#
# Every key, signature and token here comes from an implementation that is
# not pam_jwt's: tests/jose-tools (the `jose` npm package and node:crypto)
# and the openssl CLI.  The generated files are committed, so `make check`
# needs neither node nor this script.  Keys are fresh on every run, so the
# whole directory changes together; only public keys are kept.
#
# Tokens use a fixed "now" (NOW below); the tests pass the same value to
# pj_validate.  Usage: sh tests/unit/make-fixtures.sh
set -eu

here=$(cd "$(dirname "$0")" && pwd)
tools=$here/../jose-tools
out=$here/fixtures
NOW=1750000000
ISS=https://idp.test
AUD=host.test

if [ ! -d "$tools/node_modules/jose" ]; then
	(cd "$tools" && npm ci --silent)
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM
rm -rf "$out"
mkdir -p "$out"

b64u() { node "$tools/b64url.mjs"; }
keygen() { node "$tools/keygen.mjs" "$@" --quiet; }

# --- keys -------------------------------------------------------------------
keygen RS256 "$work/rsa" --kid rsa-1
keygen RS256 "$work/rsa2" --kid rsa-2
keygen ES256 "$work/ec256" --kid ec-1
keygen ES384 "$work/ec384" --kid ec384-1
keygen ES512 "$work/ec521" --kid ec521-1
keygen EdDSA "$work/ed" --kid ed-1
keygen RS256 "$work/rsa1024" --bits 1024 --kid rsa-weak
for k in rsa rsa2 ec256 ec384 ec521 ed rsa1024; do
	cp "$work/$k.pub.jwk" "$work/$k.pub.pem" "$out/"
done

# Keys the policy must refuse, made with the openssl CLI.
openssl ecparam -name secp256k1 -genkey -noout -out "$work/k1.pem"
openssl ec -in "$work/k1.pem" -pubout -out "$out/secp256k1.pub.pem" 2>/dev/null
openssl ec -in "$work/ec256.priv.pem" -pubout -param_enc explicit \
	-out "$out/ec256-explicit.pub.pem" 2>/dev/null
openssl genpkey -algorithm ed448 -out "$work/ed448.pem"
openssl pkey -in "$work/ed448.pem" -pubout -out "$out/ed448.pub.pem"
openssl rsa -pubin -in "$out/rsa.pub.pem" -RSAPublicKey_out \
	-out "$out/rsa-pkcs1.pub.pem" 2>/dev/null
# SPKI of the rsa-1 modulus with e = 1 (the trivial-forgery key).
mod=$(openssl rsa -pubin -in "$out/rsa.pub.pem" -noout -modulus | sed 's/^Modulus=//')
cat >"$work/e1.cnf" <<EOF
asn1=SEQUENCE:spki
[spki]
alg=SEQUENCE:alg
key=BITWRAP,SEQUENCE:rsakey
[alg]
oid=OID:rsaEncryption
null=NULL
[rsakey]
n=INTEGER:0x$mod
e=INTEGER:1
EOF
openssl asn1parse -genconf "$work/e1.cnf" -out "$work/e1.der" >/dev/null
{
	echo "-----BEGIN PUBLIC KEY-----"
	openssl base64 -in "$work/e1.der"
	echo "-----END PUBLIC KEY-----"
} >"$out/rsa-e1.pub.pem"

node "$tools/jwks.mjs" --compact "$out/rsa.pub.jwk" "$out/ec256.pub.jwk" \
	"$out/ec384.pub.jwk" "$out/ec521.pub.jwk" "$out/ed.pub.jwk" >"$out/jwks.json"

openssl rand -out "$out/secret.bin" 32
openssl rand -out "$out/secret64.bin" 64

# Hand-altered JWKs for the import policy, derived from the keys above.
node - "$out" >"$out/jwk-cases.json" <<'EOF'
const fs = require('fs'), crypto = require('crypto');
const dir = process.argv[2];
const rd = (n) => JSON.parse(fs.readFileSync(`${dir}/${n}.pub.jwk`));
const rsa = rd('rsa'), ec = rd('ec256'), ec521 = rd('ec521'), ed = rd('ed');
const w = (o, m) => Object.assign({}, o, m);
const B = (b) => Buffer.from(b).toString('base64url');
const flip = (s) => { const b = Buffer.from(s, 'base64url'); b[b.length - 1] ^= 1; return B(b); };
const hex = (h) => B(Buffer.from(h, 'hex'));
const bigN = crypto.randomBytes(2050); bigN[0] |= 0x80;
const cases = {
  rsa_ok: rsa,
  rsa_e1: w(rsa, { e: 'AQ' }),
  rsa_e1_leading_zeros: w(rsa, { e: 'AAAB' }),
  rsa_e_even: w(rsa, { e: 'AQAA' }),
  rsa_1024: rd('rsa1024'),
  rsa_n_too_long: w(rsa, { n: B(bigN) }),
  rsa_n_padded: w(rsa, { n: rsa.n + '=' }),
  rsa_n_std_alphabet: w(rsa, { n: Buffer.from(rsa.n, 'base64url').toString('base64').replace(/=+$/, '') }),
  rsa_private_d: w(rsa, { d: 'AQAB' }),
  rsa_use_sig: w(rsa, { use: 'sig' }),
  rsa_use_enc: w(rsa, { use: 'enc' }),
  rsa_key_ops_verify: w(rsa, { key_ops: ['sign', 'verify'] }),
  rsa_key_ops_encrypt: w(rsa, { key_ops: ['encrypt'] }),
  rsa_key_ops_string: w(rsa, { key_ops: 'verify' }),
  rsa_alg_ps256: w(rsa, { alg: 'PS256' }),
  rsa_alg_es256: w(rsa, { alg: 'ES256' }),
  rsa_alg_hs256: w(rsa, { alg: 'HS256' }),
  rsa_alg_none: w(rsa, { alg: 'none' }),
  rsa_kid_empty: w(rsa, { kid: '' }),
  rsa_kid_number: w(rsa, { kid: 7 }),
  rsa_kid_257: w(rsa, { kid: 'k'.repeat(257) }),
  rsa_kty_lower: w(rsa, { kty: 'rsa' }),
  oct: { kty: 'oct', kid: 'hs', k: B(crypto.randomBytes(32)) },
  ec256_ok: ec,
  ec384_ok: rd('ec384'),
  ec521_ok: ec521,
  ec256_off_curve: w(ec, { y: flip(ec.y) }),
  ec256_zero_point: w(ec, { x: B(Buffer.alloc(32)), y: B(Buffer.alloc(32)) }),
  ec256_short_x: w(ec, { x: B(Buffer.from(ec.x, 'base64url').subarray(1)) }),
  ec256_as_p384: w(ec, { crv: 'P-384' }),
  ec521_x_65: w(ec521, { x: B(Buffer.from(ec521.x, 'base64url').subarray(1)) }),
  ec_secp256k1: w(ec, { crv: 'secp256k1' }),
  ec_no_crv: (({ crv, ...r }) => r)(ec),
  ec_crv_number: w(ec, { crv: 256 }),
  ec256_alg_es384: w(ec, { alg: 'ES384' }),
  ed_ok: ed,
  ed_x_31: w(ed, { x: B(Buffer.from(ed.x, 'base64url').subarray(1)) }),
  okp_x25519: w(ed, { crv: 'X25519' }),
  okp_ed448: w(ed, { crv: 'Ed448' }),
  kty_missing: (({ kty, ...r }) => r)(rsa),
};
// The eight small-order Ed25519 points (identity, order 2, 4, 8, with both
// signs of x where x != 0) and two non-canonical encodings (y = p, p + 1).
const small = {
  identity: '0100000000000000000000000000000000000000000000000000000000000000',
  identity_sign: '0100000000000000000000000000000000000000000000000000000000000080',
  order2: 'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  order4: '0000000000000000000000000000000000000000000000000000000000000000',
  order4_sign: '0000000000000000000000000000000000000000000000000000000000000080',
  order8_a: '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05',
  order8_a_sign: '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85',
  order8_b: 'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a',
  order8_b_sign: 'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa',
  noncanon_p: 'edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  noncanon_p1: 'eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
};
for (const [k, v] of Object.entries(small)) cases[`ed_${k}`] = w(ed, { x: hex(v) });
process.stdout.write(JSON.stringify(cases, null, 1) + '\n');
EOF

# --- raw signatures over one message (test_verify) --------------------------
msg=eyJhbGciOiJ0ZXN0In0.eyJzdWIiOiJ1bml0In0
printf '%s' "$msg" >"$out/msg.txt"
sigs=$out/sigs.txt
: >"$sigs"
sig() { # NAME ALG KEYARGS...
	name=$1 alg=$2
	shift 2
	printf '%s %s\n' "$name" "$(printf '%s' "$msg" | node "$tools/sign-raw.mjs" --alg "$alg" "$@")" >>"$sigs"
}
for a in RS256 RS384 RS512 PS256 PS384 PS512; do
	sig "$a" "$a" --key "$work/rsa.priv.pem"
done
sig ES256 ES256 --key "$work/ec256.priv.pem"
sig ES384 ES384 --key "$work/ec384.priv.pem"
sig ES512 ES512 --key "$work/ec521.priv.pem"
sig EdDSA EdDSA --key "$work/ed.priv.pem"
sig HS256 HS256 --secret-file "$out/secret.bin"
sig HS384 HS384 --secret-file "$out/secret64.bin"
sig HS512 HS512 --secret-file "$out/secret64.bin"
sig HS512-short-secret HS512 --secret-file "$out/secret.bin"
sig RS256-other-key RS256 --key "$work/rsa2.priv.pem"

osig() { # NAME DIGEST KEY SIGOPTS...
	name=$1 dg=$2 key=$3
	shift 3
	printf '%s' "$msg" >"$work/msg"
	openssl dgst "-$dg" -sign "$key" "$@" -out "$work/sig" "$work/msg"
	printf '%s %s\n' "$name" "$(b64u <"$work/sig")" >>"$sigs"
}
osig RS256-openssl sha256 "$work/rsa.priv.pem"
osig PS256-openssl sha256 "$work/rsa.priv.pem" -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:32
osig PS256-salt0 sha256 "$work/rsa.priv.pem" -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:0
osig PS256-saltmax sha256 "$work/rsa.priv.pem" -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:max
osig PS256-mgf1-sha1 sha256 "$work/rsa.priv.pem" -sigopt rsa_padding_mode:pss \
	-sigopt rsa_pss_saltlen:32 -sigopt rsa_mgf1_md:sha1
osig PS384-salt32 sha384 "$work/rsa.priv.pem" -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:32
osig ES256-der sha256 "$work/ec256.priv.pem"

# Signatures altered with plain big-number arithmetic (node BigInt).
node - "$work" "$msg" >>"$sigs" <<'EOF'
const fs = require('fs'), crypto = require('crypto');
const [dir, msg] = process.argv.slice(2);
const key = (n) => crypto.createPrivateKey(fs.readFileSync(`${dir}/${n}.priv.pem`));
const big = (b) => BigInt('0x' + (Buffer.from(b).toString('hex') || '0'));
const bytes = (v, len) => Buffer.from(v.toString(16).padStart(len * 2, '0'), 'hex');
const le = (b) => big(Buffer.from(b).reverse());
const line = (name, b) => process.stdout.write(`${name} ${Buffer.from(b).toString('base64url')}\n`);
const ecdsa = (n, h) => crypto.sign(h, Buffer.from(msg), { key: key(n), dsaEncoding: 'ieee-p1363' });
const n256 = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
const n521 = 0x01ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffa51868783bf2f966b7fcc0148f709a5d03bb5c9b8899c47aebb6fb71e91386409n;
const L = 2n ** 252n + 27742317777372353535851937790883648493n;
let s = ecdsa('ec256', 'sha256');
const r = s.subarray(0, 32), ss = s.subarray(32);
line('ES256-high-s-twin', Buffer.concat([r, bytes(n256 - big(ss), 32)]));
line('ES256-r-eq-n', Buffer.concat([bytes(n256, 32), ss]));
line('ES256-s-zero', Buffer.concat([r, Buffer.alloc(32)]));
line('ES256-psychic', Buffer.alloc(64));
s = ecdsa('ec521', 'sha512');
line('ES512-r-plus-n', Buffer.concat([bytes(big(s.subarray(0, 66)) + n521, 66), s.subarray(66)]));
s = crypto.sign(null, Buffer.from(msg), key('ed'));
line('EdDSA-s-plus-l', Buffer.concat([s.subarray(0, 32), bytes(le(s.subarray(32)) + L, 32).reverse()]));
// A PSS signature whose first byte is zero, sent without it (k - 1 bytes).
for (;;) {
  s = crypto.sign('sha256', Buffer.from(msg), { key: key('rsa'), padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 });
  if (s[0] === 0) break;
}
line('PS256-leading-zero-stripped', s.subarray(1));
const jwk = JSON.parse(fs.readFileSync(`${dir}/rsa.pub.jwk`));
line('RS256-eq-modulus', Buffer.from(jwk.n, 'base64url'));
EOF

# --- tokens (test_jws, test_validate) ----------------------------------------
toks=$out/tokens.txt
: >"$toks"
mint() { # NAME MINT-ARGS...
	name=$1
	shift
	printf '%s %s\n' "$name" "$(node "$tools/mint.mjs" --now "$NOW" --iss "$ISS" \
		--aud "$AUD" --sub root "$@")" >>"$toks"
}
RSA="--key $work/rsa.priv.pem --alg RS256 --kid rsa-1"
EC="--key $work/ec256.priv.pem --alg ES256 --kid ec-1"
mint rs256 $RSA
mint rs256-nokid --key "$work/rsa.priv.pem" --alg RS256
mint ps256 --key "$work/rsa.priv.pem" --alg PS256 --kid rsa-1
mint es256 $EC
mint es384 --key "$work/ec384.priv.pem" --alg ES384 --kid ec384-1
mint es512 --key "$work/ec521.priv.pem" --alg ES512 --kid ec521-1
mint eddsa --key "$work/ed.priv.pem" --alg EdDSA --kid ed-1
mint hs256 --secret-file "$out/secret.bin" --alg HS256
mint aud-array $EC --aud other.test
mint aud-other $EC --claims '{"aud":"other.test"}'
mint aud-empty-array $EC --claims '{"aud":[]}'
mint iss-slash $EC --iss "$ISS/"
mint iss-case $EC --iss "https://IDP.test"
mint expired $EC --exp-in -3600
mint nbf-future $EC --nbf-in 3600
mint iat-future $EC --iat-in 3600
mint no-exp $EC --no-exp
mint exp-string $EC --claims "{\"exp\":\"$((NOW + 300))\"}"
mint exp-true $EC --claims '{"exp":true}'
mint sub-alice $EC --sub alice
mint sub-noaccount $EC --sub pjnoacct
mint sub-nul $EC --claims '{"sub":"root\u0000x"}'
mint sub-number $EC --claims '{"sub":0}'
mint sub-weird $EC --claims '{"sub":"a\"b\\c\u0001d"}'
mint iss-long $EC --iss "$ISS/$(printf '%0200d' 0)"
mint typ-at-jwt $EC --typ at+jwt
mint no-typ $EC --no-typ
mint corrupt-sig $RSA --corrupt-sig
mint kid-unknown --key "$work/rsa.priv.pem" --alg RS256 --kid nope
mint kid-traversal --key "$work/ec256.priv.pem" --alg ES256 --kid ../../../../../dev/null
mint kid-of-ec-key --key "$work/rsa.priv.pem" --alg RS256 --kid ec-1
mint rs256-as-ps256 $RSA --header '{"alg":"PS256"}'
mint es256-as-es384 $EC --header '{"alg":"ES384"}'
mint other-rsa-key-nokid --key "$work/rsa2.priv.pem" --alg RS256
mint alg-none --alg none
mint alg-none-kept-sig $RSA --header '{"alg":"none"}'
mint alg-NONE-kept-sig $RSA --header '{"alg":"NONE"}'
mint alg-nOnE-kept-sig $RSA --header '{"alg":"nOnE"}'
mint alg-rs256-lower $RSA --header '{"alg":"rs256"}'
mint hs-confusion-kid --hs-with-pubkey "$out/rsa.pub.pem" --kid rsa-1
mint hs-confusion-nokid --hs-with-pubkey "$out/rsa.pub.pem"
mint jwk-injected --key "$work/rsa2.priv.pem" --alg RS256 \
	--header "{\"jwk\":$(cat "$out/rsa2.pub.jwk" | tr -d ' \n')}"
mint jwk-injected-kid --key "$work/rsa2.priv.pem" --alg RS256 --kid rsa-2 \
	--header "{\"jwk\":$(cat "$out/rsa2.pub.jwk" | tr -d ' \n')}"
mint jku-ignored $EC --header '{"jku":"https://evil.test/jwks","x5u":"https://evil.test/c","x5c":["AAAA"]}'
mint crit $EC --header '{"crit":["exp"]}'
mint b64-false $EC --header '{"b64":false,"crit":["b64"]}'
mint b64-false-nocrit $EC --header '{"b64":false}'
mint enc $EC --header '{"enc":"A256GCM"}'
mint zip $EC --header '{"zip":"DEF"}'
mint cty-jwt $EC --header '{"cty":"JWT"}'
mint kid-number $EC --header '{"kid":7}'
mint typ-number $EC --header '{"typ":1}'
mint lifetime-2h $EC --exp-in 7200
mint big-4096 $EC --target-len 4096

# Hand-built headers and payloads (exact JSON text), signed with ES256.
raw() { # NAME HEADER-TEXT PAYLOAD-TEXT
	h=$(printf '%s' "$2" | b64u)
	p=$(printf '%s' "$3" | b64u)
	s=$(printf '%s.%s' "$h" "$p" | node "$tools/sign-raw.mjs" --alg ES256 --key "$work/ec256.priv.pem")
	printf '%s %s.%s.%s\n' "$1" "$h" "$p" "$s" >>"$toks"
}
H='{"alg":"ES256","kid":"ec-1"}'
P="{\"iss\":\"$ISS\",\"sub\":\"root\",\"aud\":\"$AUD\",\"iat\":$NOW,\"exp\":$((NOW + 300))}"
raw raw-ok "$H" "$P"
raw dup-alg-none-last '{"alg":"ES256","kid":"ec-1","alg":"none"}' "$P"
raw dup-alg-es256-last '{"alg":"none","kid":"ec-1","alg":"ES256"}' "$P"
raw dup-sub "$H" "{\"iss\":\"$ISS\",\"sub\":\"alice\",\"aud\":\"$AUD\",\"exp\":$((NOW + 300)),\"sub\":\"root\"}"
raw alg-missing '{"kid":"ec-1"}' "$P"
raw alg-number '{"alg":256,"kid":"ec-1"}' "$P"
raw header-array '["ES256"]' "$P"
raw header-trailing '{"alg":"ES256","kid":"ec-1"}x' "$P"
raw header-bom "$(printf '\357\273\277')$H" "$P"
raw payload-array "$H" '[1,2]'
raw payload-trailing "$H" "$P$P"
raw payload-invalid-utf8 "$H" "$(printf '{"sub":"r\377t"}')"
raw payload-overlong-utf8 "$H" "$(printf '{"sub":"\300\257"}')"
raw payload-lone-surrogate "$H" '{"sub":"\ud800"}'
raw payload-raw-control "$H" "$(printf '{"sub":"ro\001ot"}')"
raw payload-nan "$H" '{"sub":"root","exp":NaN}'
raw payload-deep "$H" '{"a":[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]}'
# A single-quoted member name holding a double quote (json-c accepts
# single-quoted names even in strict mode): hides a repeated member.
raw squote-dup-alg '{"alg":"none","kid":"ec-1","alg":"ES256",'"'\"'"':1}' "$P"
raw squote-dup-sub "$H" "{\"iss\":\"$ISS\",\"aud\":\"$AUD\",\"exp\":$((NOW + 300)),\"sub\":\"alice\",\"sub\":\"root\",'\"':1}"
raw squote-name "$H" "{\"iss\":\"$ISS\",\"aud\":\"$AUD\",\"exp\":$((NOW + 300)),'sub':\"root\"}"
raw payload-space-around "$H" " $P
"

echo "fixtures written to $out"
