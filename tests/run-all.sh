#!/bin/bash
# The whole test suite, as CI runs it.  Run it as root (it installs
# packages, and many suites need root); run by anyone else it calls sudo.
#   1. install what is missing (tests/install-deps.sh)
#   2. build with -Werror
#   3. make check: unit (cmocka), external vectors, PAM integration,
#      keys from the test auth center, policy, real sshd and sudo, threads,
#      the token helper
#   4. the PAM integration tests again under valgrind memcheck
#   5. every compiled test again under ASan + UBSan
#   6. the libFuzzer targets for a bounded time (FUZZ_SECONDS, default 30)
#   7. the benchmark suite in smoke mode (it refuses tampered tokens)
#   8. the Debian packages: build (with the offline tests), lintian, a
#      second build that must be byte-identical (tests/package/debs.sh)
#   9. the installed-package test: those packages installed, used, removed
#      and purged in a throw-away overlay of the system
#      (tests/package/installed.sh)
#  10. the RPM spec through rpmbuild (tests/package/rpm.sh)
#  11. make distcheck (with the compiled tests)
# Ends with one line "N passed, N failed, N skipped": test cases summed
# over all suites (a step that is not a suite counts as one; skipped cases
# are not passed ones).  Exits non-zero if anything failed.
set -u
# as root, or through sudo when it is there
. "$(dirname "$0")/lib/root.sh"
PJ_KEEP_ENV=FUZZ_SECONDS pj_as_root "$0" "$@"
cd "$(dirname "$0")/.."
top=$(pwd)
jobs=$(nproc 2>/dev/null || echo 2)
logs=$top/_build/logs
export top_srcdir=$top top_builddir=$top
mkdir -p "$logs"
passed=0
failed=0
skipped=0

step() { printf '\n=== %s\n' "$*"; }

# Add the counts of an automake test-suite.log to the totals.
count_suite() {
	local log=$1 name=$2 p f s
	if [ ! -f "$log" ]; then
		echo "run-all: $name produced no $log" >&2
		failed=$((failed + 1))
		return
	fi
	p=$(sed -n 's/^# PASS: *//p' "$log" | head -1)
	f=$(( $(sed -n 's/^# FAIL: *//p' "$log" | head -1) + $(sed -n 's/^# XPASS: *//p' "$log" | head -1) + $(sed -n 's/^# ERROR: *//p' "$log" | head -1) ))
	s=$(sed -n 's/^# SKIP: *//p' "$log" | head -1)
	echo "$name: $p passed, $f failed, $s skipped"
	passed=$((passed + p))
	failed=$((failed + f))
	skipped=$((skipped + s))
}

# count_tap LOG NAME RC: add the counts of a TAP stream to the totals
. tests/lib/count_tap.sh

# One pass/fail for a step that is not a test suite (build, distcheck).
count_step() {
	if [ "$2" -eq 0 ]; then
		passed=$((passed + 1))
		echo "$1: passed"
	else
		failed=$((failed + 1))
		echo "$1: FAILED" >&2
	fi
}

step "dependencies"
if ! bash tests/install-deps.sh; then
	echo "0 passed, 1 failed"
	exit 1
fi

step "build (-Werror)"
rc=0
{ autoreconf -fi && ./configure --enable-werror && make -j"$jobs"; } >"$logs/build.log" 2>&1 || rc=$?
count_step "build" $rc
if [ $rc -ne 0 ]; then
	tail -40 "$logs/build.log"
	echo "$passed passed, $failed failed, $skipped skipped"
	exit 1
fi

step "make check"
# no old log may stand in for this run (a test program that fails to
# build leaves none), and a failing make is a failure whatever it counted
rm -f test-suite.log
rc=0
make -j"$jobs" check >"$logs/check.log" 2>&1 || rc=$?
grep -E '^(FAIL|ERROR|XPASS):' "$logs/check.log" | head -40
count_suite test-suite.log "make check"
if [ $rc -ne 0 ] && ! grep -qE '^# (FAIL|ERROR|XPASS): *[1-9]' test-suite.log 2>/dev/null; then
	count_step "make check finished" $rc
	tail -20 "$logs/check.log"
fi

step "PAM integration under valgrind memcheck"
rc=0
bash tests/integration/valgrind.sh >"$logs/valgrind.log" 2>&1 || rc=$?
count_tap "$logs/valgrind.log" "valgrind" $rc

step "compiled tests under ASan + UBSan"
rc=0
bash tests/sanitize.sh >"$logs/sanitize.log" 2>&1 || rc=$?
if [ -f _build/asan/test-suite.log ]; then
	count_suite _build/asan/test-suite.log "sanitizers"
else
	tail -30 "$logs/sanitize.log"
	count_step "sanitizers" 1
fi

step "fuzzing (${FUZZ_SECONDS:-30} s per target)"
rc=0
bash tests/fuzz/run.sh "${FUZZ_SECONDS:-30}" >"$logs/fuzz.log" 2>&1 || rc=$?
count_tap "$logs/fuzz.log" "fuzz" $rc
grep '^# fuzz_' "$logs/fuzz.log"

step "benchmark smoke run"
rc=0
bash bench/run.sh --smoke >"$logs/bench.log" 2>&1 || rc=$?
[ $rc -eq 0 ] || tail -20 "$logs/bench.log"
count_step "bench --smoke" $rc

step "Debian packages: build, lintian, reproducible"
rc=0
bash tests/package/debs.sh _build/deb >"$logs/debs.log" 2>&1 || rc=$?
count_tap "$logs/debs.log" "debian packages" $rc
grep -E '^#   ' "$logs/debs.log" | head -20

step "installed-package test"
rc=0
bash tests/package/installed.sh _build/deb/a >"$logs/installed.log" 2>&1 || rc=$?
count_tap "$logs/installed.log" "installed packages" $rc

step "RPM spec"
rc=0
bash tests/package/rpm.sh _build/rpm >"$logs/rpm.log" 2>&1 || rc=$?
count_tap "$logs/rpm.log" "rpm" $rc

step "make distcheck"
rc=0
make -j"$jobs" distcheck TESTS="$(make -s print-program-tests)" >"$logs/distcheck.log" 2>&1 || rc=$?
[ $rc -eq 0 ] || tail -40 "$logs/distcheck.log"
count_step "distcheck" $rc

echo
echo "logs: $logs"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
