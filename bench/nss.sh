#!/bin/bash
# Benchmark of the NSS module (libnss_jwt.so.2) at 1,000, 10,000 and
# 100,000 accounts: getpwnam, getpwuid and initgroups through the module's
# entry points, and getpwnam / getgrouplist through glibc (`passwd: files
# jwt`), in a private mount namespace with the database at
# /var/lib/pam_jwt (tests/nss/common.sh; the host is not changed).
# Prints a Markdown section; bench/run.sh puts it into bench/RESULTS.md.
#
#   bench/nss.sh [--smoke]     (--smoke: 1,000 accounts, few lookups)
#
# Needs root, a built tree (make check builds tests/nss/mkdb) and gcc.
# Target (issue 12): a lookup under 20 µs at 100,000 accounts, growth no
# worse than logarithmic.
set -u
here=$(cd "$(dirname "$0")" && pwd)
top_srcdir=${top_srcdir:-$(cd "$here/.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
export top_srcdir top_builddir
# the namespace re-runs this script: the flag travels in the environment
[ "${1:-}" = "--smoke" ] && PJ_NSS_SMOKE=1
smoke=${PJ_NSS_SMOKE:-0}
export PJ_NSS_SMOKE=$smoke
if [ "${PJ_NSS_INSIDE-}" != 1 ]; then
	[ -x "$top_builddir/tests/nss/mkdb" ] ||
		make -C "$top_builddir" tests/nss/mkdb >/dev/null || { echo "bench: cannot build mkdb" >&2; exit 1; }
fi
# skip_all from tap.sh prints a TAP plan: here a skip is an error.
skip_all() { echo "bench/nss.sh: cannot run: $*" >&2; exit 1; }
. "$top_srcdir/tests/nss/common.sh"
skip_all() { echo "bench/nss.sh: cannot run: $*" >&2; exit 1; }
nss_enter gcc
nss_setup >/dev/null
gcc -O2 -o "$T/nss_bench" "$here/nss_bench.c" -ldl || bail "cannot build nss_bench"
if [ $smoke -eq 1 ]; then SIZES="1000"; ITER=2000; RUNS=1; else SIZES="1000 10000 100000"; ITER=200000; RUNS=5; fi
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
us() { awk -v v="$1" 'BEGIN {printf "%.2f", v / 1000}'; }
rows=""
for n in $SIZES; do
	"$MKDB" --gen "$n" A "$NSS_DB" || bail "mkdb --gen $n failed"
	size=$(stat -c %s "$NSS_DB")
	for _ in $(seq $RUNS); do "$T/nss_bench" "$NSS_SO" "$n" "$ITER" || bail "nss_bench failed"; done >"$T/r.$n"
	cols=""
	for c in 2 3 4 5 6; do
		v=$(awk -v c="$c" '{print $c}' "$T/r.$n" | median)
		cols="$cols | $(us "$v")"
		echo "$n $c $v" >>"$T/all"
	done
	rows="$rows
| $n | $((size / 1024)) KiB$cols |"
done
worst=$(awk '$1 == 100000 && $2 <= 4 {if ($3 > m) m = $3} END {print m + 0}' "$T/all")
growth=$(awk '$2 == 2 {v[$1] = $3} END {if (v[1000] && v[100000]) printf "%.2f", v[100000] / v[1000]; else print "-"}' "$T/all")
echo "## The NSS module (libnss_jwt.so.2)

Made by \`bench/nss.sh\`: random accounts of a database of N users (each
with a private group and 4 of 16 shared groups), µs per call, median of
$RUNS runs of $ITER lookups in one process (the file is mapped once and
re-checked with one stat per lookup).  Module = its entry points called
directly; glibc = getpwnam_r / getgrouplist with \`passwd: files jwt\`
(the files lookup in /etc/passwd comes first and is included).

| accounts | file | getpwnam (module) | getpwuid (module) | initgroups (module) | getpwnam (glibc) | getgrouplist (glibc) |
|---|---|---|---|---|---|---|$rows
"
if [ $smoke -eq 0 ]; then
	echo "| target | measured | |
|---|---|---|
| a module lookup under 20 µs at 100,000 accounts | at most $(us "$worst") µs | $([ "$(awk -v w="$worst" 'BEGIN {print (w < 20000)}')" = 1 ] && echo met || echo '**not met**') |
| growth no worse than logarithmic (1,000 -> 100,000: log ratio 1.67) | getpwnam x$growth | $([ "$(awk -v g="$growth" 'BEGIN {print (g <= 1.67 * 1.5)}')" = 1 ] && echo met || echo '**not met**') |
"
fi
