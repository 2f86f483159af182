#!/bin/bash
# Run the pamtester integration tests with every pamtester under valgrind
# (memcheck, full leak check).  Slow, so not part of `make check`:
#
#   make check    # builds everything first
#   top_srcdir=$PWD top_builddir=$PWD tests/integration/valgrind.sh [SCRIPT...]
#
# A pamtester run in which valgrind finds an error exits 42 and fails its
# test case; the valgrind logs are summarised at the end.  Prints TAP.  Default
# scripts: accept.sh refuse.sh stack.sh config.sh.
set -u
: "${top_srcdir:?}" "${top_builddir:?}"
. "$top_srcdir/tests/lib/tap.sh"
command -v valgrind >/dev/null 2>&1 || skip_all "valgrind is not installed"

vgdir=$(mktemp -d "${TMPDIR:-/tmp}/pam_jwt_vg.XXXXXX")
trap 'rm -rf "$vgdir"' EXIT
# pam_wrapper's RTLD_DEEPBIND is turned off by common.sh when PJ_VALGRIND
# is set (valgrind's preload cannot interpose a deep-bound library).
export PJ_VALGRIND="valgrind --quiet --leak-check=full --show-leak-kinds=definite,possible \
--errors-for-leak-kinds=definite,possible --error-exitcode=42 --trace-children=no \
--log-file=$vgdir/vg.%p.log"

# Every case of every script, numbered anew, as one TAP stream (what
# tests/run-all.sh counts); a script that skips shows as a skipped case,
# one that dies early (its plan does not match) as a failed one.
[ $# -gt 0 ] || set -- accept.sh refuse.sh stack.sh config.sh
for s in "$@"; do
	out=$(bash "$top_srcdir/tests/integration/$s" 2>&1)
	r=$?
	if why=$(sed -n 's/^1\.\.0 # SKIP *//p' <<<"$out") && [ -n "$why" ]; then
		skip "[valgrind $s]" "$why"
		continue
	fi
	n=0
	while IFS= read -r line; do
		n=$((n + 1))
		_tap_n=$((_tap_n + 1))
		case $line in
		"not ok"*) _tap_failed=$((_tap_failed + 1)) ;;
		esac
		sed -E "s/^(not )?ok [0-9]+( -)? ?/\1ok $_tap_n - [valgrind $s] /" <<<"$line"
	done < <(grep -E '^(not )?ok [0-9]+' <<<"$out")
	grep -A8 '^not ok ' <<<"$out" | grep -v '^not ok' | head -n 60 | sed 's/^/# /'
	is "[valgrind $s] its TAP plan matches its cases" \
		"$(sed -n 's/^1\.\.\([0-9]*\)$/\1/p' <<<"$out")" "$n"
	is "[valgrind $s] exit status" "$r" 0
done
runs=$(find "$vgdir" -name 'vg.*.log' | wc -l)
errs=$(find "$vgdir" -name 'vg.*.log' -size +0 | wc -l)
diag "valgrind: $runs pamtester runs, $errs with a report"
is "valgrind reported nothing in $runs pamtester runs" "$errs" 0
for f in $(find "$vgdir" -name 'vg.*.log' -size +0 | head -n 5); do
	echo "# --- $f"
	sed -E 's/([A-Za-z0-9_-]{12})[A-Za-z0-9_.-]{8,}/\1.../g' "$f" | head -n 60 | sed 's/^/# /'
done
done_testing
