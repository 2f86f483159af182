#!/bin/bash
# Run the pamtester integration tests with every pamtester under valgrind
# (memcheck, full leak check).  Slow, so not part of `make check`:
#
#   make check    # builds everything first
#   top_srcdir=$PWD top_builddir=$PWD tests/integration/valgrind.sh [SCRIPT...]
#
# A pamtester run in which valgrind finds an error exits 42 and fails its
# test case; the valgrind logs are summarised at the end.  Default
# scripts: accept.sh refuse.sh stack.sh config.sh.
set -u
: "${top_srcdir:?}" "${top_builddir:?}"
command -v valgrind >/dev/null 2>&1 || { echo "valgrind is not installed" >&2; exit 77; }

vgdir=$(mktemp -d "${TMPDIR:-/tmp}/pam_jwt_vg.XXXXXX")
trap 'rm -rf "$vgdir"' EXIT
# pam_wrapper's RTLD_DEEPBIND is turned off by common.sh when PJ_VALGRIND
# is set (valgrind's preload cannot interpose a deep-bound library).
export PJ_VALGRIND="valgrind --quiet --leak-check=full --show-leak-kinds=definite,possible \
--errors-for-leak-kinds=definite,possible --error-exitcode=42 --trace-children=no \
--log-file=$vgdir/vg.%p.log"

[ $# -gt 0 ] || set -- accept.sh refuse.sh stack.sh config.sh
rc=0
for s in "$@"; do
	out=$(bash "$top_srcdir/tests/integration/$s" 2>&1)
	r=$?
	pass=$(grep -c '^ok ' <<<"$out")
	fail=$(grep -c '^not ok ' <<<"$out")
	echo "$s: $pass ok, $fail not ok (exit $r)"
	# every case, for a TAP reader (tests/run-all.sh counts them)
	grep -E '^(not )?ok [0-9]+' <<<"$out" | sed "s/ - / - [valgrind $s] /"
	grep -A8 '^not ok ' <<<"$out" | grep -v '^not ok' | head -n 60
	[ "$r" -eq 0 ] || rc=1
done
runs=$(find "$vgdir" -name 'vg.*.log' | wc -l)
errs=$(find "$vgdir" -name 'vg.*.log' -size +0 | wc -l)
echo "valgrind: $runs pamtester runs, $errs with a report"
[ "$errs" -eq 0 ] || rc=1
for f in $(find "$vgdir" -name 'vg.*.log' -size +0 | head -n 5); do
	echo "--- $f"
	sed -E 's/([A-Za-z0-9_-]{12})[A-Za-z0-9_.-]{8,}/\1.../g' "$f" | head -n 60
done
[ "$errs" -eq 0 ] || rc=1
exit "$rc"
