# A CONNECT proxy on loopback for the proxy tests (sourced, bash):
# tests/keys/connect-proxy.mjs logs each CONNECT to DIR/connect.log.
#
# px_start DIR: start it with its state in DIR; sets PROXY
# (http://127.0.0.1:PORT), PX_PID (the caller kills and waits for it),
# and DEAD_PROXY (a loopback port where nothing listens).
# px_connects DIR HOSTPORT: how many CONNECTs to HOSTPORT so far.
# px_plain DIR: how many requests came in the clear (refused).

px_start() {
	local d=$1 i
	mkdir -p "$d"
	node "$top_srcdir/tests/keys/connect-proxy.mjs" "$d" </dev/null >"$d/server.log" 2>&1 &
	PX_PID=$!
	for ((i = 0; i < 200; i++)); do
		[ -s "$d/port" ] && break
		sleep 0.05
	done
	[ -s "$d/port" ] || { echo "Bail out! connect-proxy.mjs did not start: $(cat "$d/server.log")"; exit 1; }
	PROXY=http://127.0.0.1:$(cat "$d/port")
	DEAD_PROXY=http://127.0.0.1:$(node -e '
		const s = require("net").createServer().listen(0, "127.0.0.1", () => {
			console.log(s.address().port);
			s.close();
		});')
}

px_connects() { grep -c "^CONNECT $2\$" "$1/connect.log"; }

px_plain() { grep -c '^REFUSED' "$1/connect.log"; }
