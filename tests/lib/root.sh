# pj_as_root SCRIPT [ARG...]: make sure the calling script runs as root.
# Root goes on at once (containers and minimal images have no sudo);
# anyone else runs the script again through sudo, keeping the variables
# named in PJ_KEEP_ENV (comma-separated), or is told to become root.
pj_as_root() {
	[ "$(id -u)" -eq 0 ] && return 0
	if command -v sudo >/dev/null 2>&1; then
		echo "$(basename "$1"): not root, running it through sudo" >&2
		exec sudo ${PJ_KEEP_ENV:+--preserve-env="$PJ_KEEP_ENV"} -- bash "$@"
	fi
	echo "$(basename "$1"): run this as root (sudo is not installed)" >&2
	exit 1
}
