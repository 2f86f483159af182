// A minimal HTTP CONNECT proxy on loopback for the proxy tests.
//
//   node connect-proxy.mjs DIR
//
// Listens on 127.0.0.1 (a free port, written to DIR/port once listening)
// and appends one line per CONNECT to DIR/connect.log: "CONNECT host:port".
// Any other request (a plain-HTTP proxy request, which would carry the
// URL and its body in the clear) is answered 405 and logged as
// "REFUSED METHOD target".  The tunnel is a byte pipe: TLS stays between
// the client and the auth center.  Stops on SIGTERM.
import fs from 'node:fs';
import net from 'node:net';
import http from 'node:http';
import path from 'node:path';

const dir = process.argv[2];
if (!dir) {
	console.error('usage: connect-proxy.mjs DIR');
	process.exit(2);
}
const log = (line) => fs.appendFileSync(path.join(dir, 'connect.log'), line + '\n');

const server = http.createServer((req, res) => {
	log(`REFUSED ${req.method} ${req.url}`);
	res.writeHead(405, { 'content-type': 'text/plain' });
	res.end('only CONNECT\n');
});

server.on('connect', (req, client, head) => {
	log(`CONNECT ${req.url}`);
	const m = /^([^:\[\]]+|\[[0-9a-fA-F:.]+\]):(\d+)$/.exec(req.url);
	if (!m) {
		client.end('HTTP/1.1 400 Bad Request\r\n\r\n');
		return;
	}
	const upstream = net.connect(Number(m[2]), m[1].replace(/^\[|\]$/g, ''), () => {
		client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
		if (head.length) upstream.write(head);
		upstream.pipe(client);
		client.pipe(upstream);
	});
	const close = () => {
		upstream.destroy();
		client.destroy();
	};
	upstream.on('error', () => {
		if (client.writable) client.end('HTTP/1.1 502 Bad Gateway\r\n\r\n');
		close();
	});
	client.on('error', close);
});

server.listen(0, '127.0.0.1', () => {
	fs.writeFileSync(path.join(dir, 'connect.log'), '', { flag: 'a' });
	fs.writeFileSync(path.join(dir, 'port.tmp'), String(server.address().port));
	fs.renameSync(path.join(dir, 'port.tmp'), path.join(dir, 'port'));
});
process.on('SIGTERM', () => process.exit(0));
