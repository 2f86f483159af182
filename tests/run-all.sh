#!/bin/bash
# The whole test suite, as CI runs it: install what is missing, build with
# -Werror, run every suite (unit, vectors, PAM integration), then
# `make distcheck`.  Ends with one line "N passed, N failed" (test cases,
# summed over all suites) and exits non-zero if anything failed.
set -u
cd "$(dirname "$0")/.."
top=$(pwd)
jobs=$(nproc 2>/dev/null || echo 2)
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

# One pass/fail for a step that is not a test suite (build, distcheck).
count_step() {
	if [ "$2" -eq 0 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "run-all: $1 FAILED" >&2; fi
}

step "dependencies"
bash tests/install-deps.sh || { echo "0 passed, 1 failed"; exit 1; }

step "build (-Werror)"
rc=0
{ autoreconf -fi && ./configure --enable-werror && make -j"$jobs"; } >build.log 2>&1 || rc=$?
count_step "build" $rc
if [ $rc -ne 0 ]; then
	tail -40 build.log
	echo "$passed passed, $failed failed"
	exit 1
fi

step "make check (unit, vectors, PAM integration)"
make -j"$jobs" check >check.log 2>&1
grep -E '^(PASS|FAIL|ERROR|XPASS|SKIP):' check.log | grep -v '^PASS' | head -50
for f in $(find . -name '*.log' -path './tests/*' -newer build.log); do
	grep -l '^not ok' "$f" 2>/dev/null
done | while read -r f; do echo "--- $f"; grep '^not ok' "$f" | head -20; done
count_suite test-suite.log "make check"

step "make distcheck"
rc=0
make -j"$jobs" distcheck >distcheck.log 2>&1 || rc=$?
[ $rc -eq 0 ] || tail -40 distcheck.log
count_step "distcheck" $rc

echo
echo "($skipped skipped)"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
