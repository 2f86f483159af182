#!/bin/bash
# Builds the libFuzzer targets with clang (ASan + UBSan) and runs each for
# a bounded time with seed corpora made from the test vectors and examples.
# Any crash, leak or sanitizer report fails its target.  Prints TAP.
#
#   tests/fuzz/run.sh [SECONDS_PER_TARGET]     (default 30; FUZZ_SECONDS too)
#   FUZZ_TARGETS="fuzz_a fuzz_b" runs only those targets.
#
# Needs: clang, libclang-rt-14-dev (or the clang version's runtime), a
# configured tree (config.h).  Crash inputs are kept in $FUZZ_OUT
# (default tests/fuzz/out) for reproduction.
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
builddir=${top_builddir:-$top}
secs=${1:-${FUZZ_SECONDS:-30}}
out=${FUZZ_OUT:-$here/out}
. "$top/tests/lib/tap.sh"

command -v clang >/dev/null || skip_all "clang is not installed"
[ -f "$builddir/config.h" ] || skip_all "run configure first (no config.h)"

mkdir -p "$out/bin" "$out/corpus"
# the core as the module has it, plus the HTTP code (fuzz_http); no main()s
# and none of the module's PAM-facing files (pam_*.c: they need libpam)
core=$(ls "$top"/pam_jwt/*.c "$top"/nss_jwt/jwtdb_*.c | grep -v -e '/pam_[a-z]*\.c$' -e '_main\.c$')
cflags="-g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -I$builddir -I$top/pam_jwt -I$top/nss_jwt $(pkg-config --cflags json-c libcrypto libcurl)"
libs="$(pkg-config --libs json-c libcrypto libcurl libxcrypt) -lm"

build() {
	clang $cflags -o "$out/bin/$1" "$here/$1.c" $core $libs 2>"$out/$1.build.log"
}

# Seed corpora: real inputs of each kind.
seed() {
	local t=$1 dir="$out/corpus/$1"
	mkdir -p "$dir"
	case $t in
	fuzz_token)
		python3 - "$top" "$dir" <<'PY'
import json, sys, hashlib, os
top, d = sys.argv[1], sys.argv[2]
v = json.load(open(os.path.join(top, 'tests/vectors/derived/jwt_attack_vectors.dev.json')))
for t in v['tests']:
    b = t['token'].encode('utf-8', 'surrogatepass')
    open(os.path.join(d, hashlib.sha1(b).hexdigest()), 'wb').write(b)
PY
		;;
	fuzz_json)
		for f in "$top"/tests/vectors/libjwt/*.json "$top"/tests/vectors/latchset-jose/*.jwkset \
			"$here"/fuzz.jwks; do
			cp "$f" "$dir/$(basename "$f")"
		done
		python3 - "$top" "$dir" <<'PY'
import base64, json, sys, hashlib, os
top, d = sys.argv[1], sys.argv[2]
v = json.load(open(os.path.join(top, 'tests/vectors/derived/jwt_attack_vectors.dev.json')))
for t in v['tests']:
    for part in t['token'].split('.')[:2]:
        try:
            b = base64.urlsafe_b64decode(part + '=' * (-len(part) % 4))
        except Exception:
            continue
        open(os.path.join(d, hashlib.sha1(b).hexdigest()), 'wb').write(b)
PY
		;;
	fuzz_jwks | fuzz_http)
		for f in "$top"/tests/vectors/libjwt/*.json "$top"/tests/vectors/latchset-jose/*.jwkset \
			"$here"/fuzz.jwks; do
			cp "$f" "$dir/$(basename "$f")"
		done
		;;
	fuzz_config)
		cp "$top"/examples/*.conf "$dir/" 2>/dev/null
		find "$top/examples" -name '*.conf' -exec cp {} "$dir/" \; 2>/dev/null
		printf 'leeway = 30\n[a]\nissuer = https://a\naudience = x\n[b]\nissuer = https://b\naudience = y\nrequire = groups=admins|ops\n' >"$dir/sections"
		;;
	fuzz_fetchwire)
		python3 - "$dir" <<'PY'
import os, struct, sys
d = sys.argv[1]
def f(v):
    return struct.pack('>I', 0xffffffff) if v is None else struct.pack('>I', len(v)) + v
open(os.path.join(d, 'req'), 'wb').write(b'PJF2' + f(b'https://127.0.0.1:8443/jwks') + f(None)
    + f(b'/etc/ssl/ca.pem') + f(None) + f(b'5000') + f(b'262144')
    + f(b'http://127.0.0.1:3128') + f(b'.corp,10.0.0.0/8'))
open(os.path.join(d, 'resp'), 'wb').write(b'PJR1' + f(b'0') + f(b'200') + f(b'-1') + f(b'{"keys":[]}'))
open(os.path.join(d, 'fail'), 'wb').write(b'PJR1' + f(b'16') + f(b'0') + f(b'-1') + f(b'timed out'))
PY
		;;
	fuzz_unlockwire)
		python3 - "$dir" <<'PY'
import os, struct, sys
d = sys.argv[1]
def frame(v, a, b=b''):
    return b'PJU1' + v + struct.pack('>H', len(a)) + a + struct.pack('>H', len(b)) + b
open(os.path.join(d, 'token'), 'wb').write(frame(b'T', b'eyJhbGciOiJFUzI1NiJ9.e30.c2ln'))
open(os.path.join(d, 'pin'), 'wb').write(frame(b'P', b'4711-blue'))
open(os.path.join(d, 'set'), 'wb').write(frame(b'S', b'eyJhbGciOiJFUzI1NiJ9.e30.c2ln', b'4711-blue'))
PY
		;;
	fuzz_jwtdb)
		# small valid databases, written by the library's own writer
		if [ -x "$builddir/tests/nss/mkdb" ]; then
			"$builddir/tests/nss/mkdb" --gen 3 A "$dir/gen3.db"
			printf '%s\n' 'group|devs|2000000001|0|devs' 'group|alice|1000000101|1|' \
				'user|alice|1000000101|1000000101|0|Alice|/home/alice|/bin/bash|https://i|s|2000000001' |
				"$builddir/tests/nss/mkdb" "$dir/alice.db"
		fi
		;;
	fuzz_map)
		find "$top/examples" -name '*.map' -exec cp {} "$dir/" \; 2>/dev/null
		printf 'sub=alice groups=admins pam_service=sudo -> root\nemail~*@x.com -> claim:sub\n* -> deny\n' >"$dir/rules"
		printf 'groups=admins|devs' >"$dir/require"
		;;
	esac
}

for t in ${FUZZ_TARGETS:-fuzz_token fuzz_json fuzz_jwks fuzz_config fuzz_map fuzz_http fuzz_fetchwire fuzz_jwtdb \
	fuzz_unlockwire}; do
	if ! build "$t"; then
		ok "$t builds" false
		sed 's/^/# /' "$out/$t.build.log" | head -20
		continue
	fi
	seed "$t"
	log="$out/$t.log"
	(cd "$top" && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
		FUZZ_JWKS="$here/fuzz.jwks" \
		"$out/bin/$t" -max_total_time="$secs" -max_len=16384 -timeout=10 -rss_limit_mb=2048 \
			-artifact_prefix="$out/$t-" "$out/corpus/$t" >"$log" 2>&1)
	rc=$?
	execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
	[ -n "$execs" ] || execs=$(grep -Eo '#[0-9]+' "$log" | tail -1 | tr -d '#')
	diag "$t: ${execs:-?} executions in ${secs}s"
	ok "$t runs $secs s without a crash" [ "$rc" -eq 0 ]
	[ "$rc" -eq 0 ] || grep -E 'ERROR|SUMMARY|runtime error' "$log" | head -5 | sed 's/^/# /'
done
done_testing
