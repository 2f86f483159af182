# TAP helpers for the shell tests.  Source it, call plan/ok/..., and
# finish with `done_testing`.  Every helper prints exactly one TAP line.
_tap_n=0
_tap_failed=0

# ok NAME COMMAND...: run COMMAND; pass when it exits 0.
ok() {
	local name=$1; shift
	_tap_n=$((_tap_n + 1))
	if "$@"; then
		echo "ok $_tap_n - $name"
	else
		echo "not ok $_tap_n - $name"
		_tap_failed=$((_tap_failed + 1))
	fi
}

# is NAME GOT WANT
is() {
	_tap_n=$((_tap_n + 1))
	if [ "$2" = "$3" ]; then
		echo "ok $_tap_n - $1"
	else
		echo "not ok $_tap_n - $1"
		echo "#   got:  '$2'"
		echo "#   want: '$3'"
		_tap_failed=$((_tap_failed + 1))
	fi
}

# skip NAME REASON: one case that cannot run here (counted as skipped,
# not as passed).
skip() {
	_tap_n=$((_tap_n + 1))
	echo "ok $_tap_n - $1 # SKIP $2"
}

# skip_all REASON: the whole script cannot run here.
skip_all() {
	echo "1..0 # SKIP $1"
	exit 0
}

diag() { echo "# $*"; }

done_testing() {
	echo "1..$_tap_n"
	[ "$_tap_failed" -eq 0 ]
}
