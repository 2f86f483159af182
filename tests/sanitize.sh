#!/bin/bash
# Rebuilds pam_jwt from a clean copy of the sources (make distdir) with
# AddressSanitizer + UndefinedBehaviorSanitizer and runs every test that is
# a compiled program (unit tests, vectors, policy engines) under them.
# Any sanitizer report aborts the test (-fno-sanitize-recover), so it
# fails.  Needs a configured tree; prints automake's summary.
set -eu
cd "$(dirname "$0")/.."
top=$(pwd)
jobs=$(nproc 2>/dev/null || echo 2)
src=$top/_build/asan-src
bld=$top/_build/asan
rm -rf "$src" "$bld"
mkdir -p "$top/_build"
make -s distdir distdir="$src" >/dev/null
tests=$(make -s print-program-tests)
mkdir -p "$bld"
cd "$bld"
"$src/configure" --enable-sanitizers --enable-werror --with-pam-dir="$bld/inst" >configure.log 2>&1
make -j"$jobs" >build.log 2>&1 || { tail -30 build.log; exit 1; }
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
make -j"$jobs" check TESTS="$tests" >check.log 2>&1 || true
sed -n '/^# TOTAL/,/^# ERROR/p' test-suite.log
grep -E '^(FAIL|ERROR)' check.log || true
