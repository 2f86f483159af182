#!/bin/bash
# The test library itself: tests/run-all.sh's count_tap (tests/lib/
# count_tap.sh) counts "# SKIP" cases as skipped, never as passed, and
# fails a TAP stream without a plan or whose plan does not match its cases;
# tap.sh's skip and skip_all print what count_tap and automake read as
# skips.
set -u
top=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$top/tests/lib/tap.sh"
. "$top/tests/lib/count_tap.sh"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/pam_jwt_tap.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# counts TEXT RC: "passed failed skipped" of count_tap on TEXT
counts() {
	local passed=0 failed=0 skipped=0
	printf '%s\n' "$1" >"$tmp/log"
	count_tap "$tmp/log" t "$2" >/dev/null 2>&1
	echo "$passed $failed $skipped"
}

is "two cases and their plan" "$(counts $'ok 1 - a\nok 2 - b\n1..2' 0)" "2 0 0"
is "a failed case" "$(counts $'ok 1 - a\nnot ok 2 - b\n1..2' 1)" "1 1 0"
is "a skipped case is not a passed one" \
	"$(counts $'ok 1 - a\nok 2 - b # SKIP no clang\n1..2' 0)" "1 0 1"
is "a suite that skips as a whole is one skipped, not passed" \
	"$(counts '1..0 # SKIP needs root' 0)" "0 0 1"
is "no plan: the suite failed (it died before the end)" \
	"$(counts $'ok 1 - a\nok 2 - b' 0)" "2 1 0"
is "a plan of 3 with 2 cases: the suite failed" \
	"$(counts $'1..3\nok 1 - a\nok 2 - b' 0)" "2 1 0"
is "two plans: the suite failed" \
	"$(counts $'ok 1 - a\n1..1\nok 1 - b\n1..1' 0)" "2 1 0"
is "a non-zero exit without a failed case fails once" \
	"$(counts $'ok 1 - a\n1..1' 2)" "1 1 0"
is "an empty stream fails" "$(counts '' 0)" "0 1 0"

is "skip prints a SKIP case" "$(skip "a case" "the reason" | sed 's/^ok [0-9]* /ok N /')" \
	"ok N - a case # SKIP the reason"
is "skip_all prints a skip plan and exits 0" "$(skip_all "why"; echo unreachable)" "1..0 # SKIP why"

# root.sh: root runs on; anyone else goes through sudo, or is told to
# become root when there is no sudo (minimal images)
cat >"$tmp/script.sh" <<SCRIPT
. "$top/tests/lib/root.sh"
PJ_KEEP_ENV=FUZZ_SECONDS pj_as_root "\$0" "\$@"
echo "running as \$(id -u)"
SCRIPT
is "root.sh: root runs the script itself" "$(bash "$tmp/script.sh" 2>&1)" "running as 0"
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null 2>&1; then
	mkdir -p "$tmp/bin" "$tmp/sbin"
	for c in bash id basename; do ln -s "$(command -v "$c")" "$tmp/bin/$c"; done
	printf '#!/bin/bash\necho "sudo $*"\n' >"$tmp/sbin/sudo"
	chmod 755 "$tmp" "$tmp/script.sh" "$tmp/sbin/sudo"
	as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$(command -v env)" "$@"; }
	out=$(as_nobody PATH="$tmp/bin" bash "$tmp/script.sh" a 2>&1)
	is "root.sh: without sudo, a user is told to become root (exit 1)" "$? $out" \
		"1 script.sh: run this as root (sudo is not installed)"
	out=$(as_nobody PATH="$tmp/bin:$tmp/sbin" bash "$tmp/script.sh" a 2>/dev/null)
	is "root.sh: with sudo, a user runs the script again through it" "$out" \
		"sudo --preserve-env=FUZZ_SECONDS -- bash $tmp/script.sh a"
else
	skip "root.sh: users without sudo" "needs root and setpriv"
	skip "root.sh: users with sudo" "needs root and setpriv"
fi
done_testing
