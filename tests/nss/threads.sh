#!/bin/bash
# Thread safety: 8 threads of one process look accounts up through glibc
# and libnss_jwt.so.2 (getpwnam_r, getpwuid_r, getgrgid_r, getgrouplist)
# while the database is replaced atomically, again and again, between two
# versions (tests/nss/nss_threads.c, mkdb --gen).  No crash, no lookup
# that fails, every answer one whole version (old or new).
set -u
. "$top_srcdir/tests/nss/common.sh"
nss_enter
nss_setup
N=2000
SECS=${PJ_NSS_THREAD_SECONDS:-4}
"$MKDB" --gen "$N" A "$NSS_DB" || bail "mkdb failed"
"$top_builddir/tests/nss/nss_threads" 8 "$SECS" "$N" >"$T/threads.out" 2>&1 &
pid=$!
swaps=0
while kill -0 "$pid" 2>/dev/null; do
	for v in B A; do
		"$MKDB" --gen "$N" "$v" "$NSS_DB" || bail "mkdb failed"
		swaps=$((swaps + 1))
	done
done
wait "$pid"
rc=$?
diag "$(cat "$T/threads.out"), $swaps replacements of the database"
is "8 threads, database replaced meanwhile: every answer old or new, none missing" "$rc" 0
ok "the database was replaced during the run (at least 10 times)" [ "$swaps" -ge 10 ]
ok "lookups ran" grep -Eq 'lookups=[1-9]' "$T/threads.out"
done_testing
