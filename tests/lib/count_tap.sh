# count_tap for tests/run-all.sh (and tests/lib/selftest.sh, which checks
# it).  Source it; it adds to the caller's variables passed, failed and
# skipped.
#
# Add the counts of a TAP stream to the totals: "ok" lines passed, "ok ...
# # SKIP" lines skipped (not passed), "not ok" lines failed.  A stream
# without exactly one plan, or whose plan "1..N" does not match its number
# of cases (a suite that died half-way), counts one failure more; "1..0 #
# SKIP why" is a suite that could not run here: one skipped.
count_tap() {
	local log=$1 name=$2 rc=$3 p f s n plan why
	p=$(grep -E '^ok [0-9]+' "$log" | grep -cvE '^ok [0-9]+[^#]*# *SKIP')
	s=$(grep -cE '^ok [0-9]+[^#]*# *SKIP' "$log")
	f=$(grep -cE '^not ok [0-9]+' "$log")
	n=$((p + s + f))
	plan=$(sed -n 's/^1\.\.\([0-9][0-9]*\).*/\1/p' "$log")
	why=$(sed -n 's/^1\.\.0 *# *SKIP *//p' "$log" | head -1)
	if [ -z "$plan" ]; then
		echo "$name: no TAP plan (1..N)" >&2
		f=$((f + 1))
	elif [ "$(wc -l <<<"$plan")" -ne 1 ]; then
		echo "$name: more than one TAP plan" >&2
		f=$((f + 1))
	elif [ "$plan" -eq 0 ] && [ "$n" -eq 0 ] && [ -n "$why" ]; then
		echo "$name: skipped: $why"
		s=1
	elif [ "$plan" -ne "$n" ]; then
		echo "$name: TAP plan 1..$plan but $n test cases" >&2
		f=$((f + 1))
	fi
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1 # it failed without saying which case
	fi
	echo "$name: $p passed, $f failed, $s skipped"
	passed=$((passed + p))
	failed=$((failed + f))
	skipped=$((skipped + s))
	[ "$f" -eq 0 ] || grep -E '^not ok' "$log" | head -20
}
