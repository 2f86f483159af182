// A hostile or broken auth center for pam_jwt's key tests.  Node built-ins
// only (node:https, node:http): no npm dependency.
//
//   node hostile.mjs DIR
//
// DIR holds the certificates (made by common.sh with openssl):
//   good.pem/good.key        for IP 127.0.0.1, signed by the test CA (ca.pem)
//   wrongname.pem/.key       for DNS:other.example only, same CA
//   selfsigned.pem/.key      for IP 127.0.0.1, self-signed (not in ca.pem)
// and the JWKS bodies the test script wrote (good.jwks and any other file
// a "file" mode names).  Once listening it writes DIR/port (HTTPS, the
// auth center), DIR/ctlport (plain HTTP on 127.0.0.1, the control
// channel, never counted) and DIR/issuer (https://127.0.0.1:PORT).
//
// The auth center side serves /.well-known/openid-configuration and /jwks
// in the current mode.  Control (plain HTTP, GET):
//   /set?mode=M[&file=F][&cc=CACHE_CONTROL][&ddelay=MS][&jdelay=MS][&cert=C]
//        every parameter left out goes back to its default
//   /stats            {"connections":N,"discovery":N,"jwks":N,"other":N,"paths":[...]}
//   /stats?reset=1    the same, then zero the counters
// Modes (default good):
//   good           discovery + DIR/good.jwks
//   file           the JWKS body is DIR/F (F: a plain file name)
//   big            a valid JWKS padded past 256 KiB, with Content-Length
//   big-chunked    the same, chunked, no Content-Length
//   badjson        a truncated JSON body
//   status500      HTTP 500, with the good JWKS as the body
//   reset          headers and half of the good JWKS, then a TCP reset
//   other-issuer   discovery names https://evil.example as its issuer
//   http-jwks-uri  discovery's jwks_uri is an http:// URL
//   redirect-http  /jwks answers 302 to an http:// URL
//   ctl-jwks-uri   discovery's jwks_uri carries a terminal escape and a
//                  newline followed by a forged log line
// ddelay / jdelay: wait that long before answering discovery / the JWKS.
// cert: good (default), wrongname, selfsigned: the certificate for new
// connections.
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';

const dir = process.argv[2];
if (!dir || !fs.existsSync(path.join(dir, 'good.pem'))) {
  process.stderr.write('usage: node hostile.mjs DIR (with DIR/good.pem, good.key, ...)\n');
  process.exit(2);
}

const certs = {};
for (const name of ['good', 'wrongname', 'selfsigned']) {
  const pem = path.join(dir, `${name}.pem`);
  if (fs.existsSync(pem)) {
    certs[name] = { cert: fs.readFileSync(pem), key: fs.readFileSync(path.join(dir, `${name}.key`)) };
  }
}

const defaults = { mode: 'good', file: '', cc: '', ddelay: 0, jdelay: 0, cert: 'good' };
let state = { ...defaults };
const zero = () => ({ connections: 0, discovery: 0, jwks: 0, other: 0, paths: [] });
let counts = zero();

const server = https.createServer({ ...certs.good });
let issuer = '';
let ctlPort = 0;

function jwksBody() {
  const name = state.mode === 'file' ? state.file : 'good.jwks';
  return fs.readFileSync(path.join(dir, name));
}

// Run fn after ms unless the client went away first.
function later(res, ms, fn) {
  if (!ms) return fn();
  const t = setTimeout(fn, ms);
  res.on('close', () => clearTimeout(t));
}

function sendJson(res, code, body, extra = {}) {
  const headers = { 'content-type': 'application/json', 'content-length': body.length, ...extra };
  if (state.cc) headers['cache-control'] = state.cc;
  res.writeHead(code, headers);
  res.end(body);
}

function discovery(res) {
  const doc = {
    issuer: state.mode === 'other-issuer' ? 'https://evil.example' : issuer,
    jwks_uri:
      state.mode === 'http-jwks-uri'
        ? `http://127.0.0.1:${ctlPort}/jwks`
        : state.mode === 'ctl-jwks-uri'
          ? `${issuer}/jwks?x=\u001b]0;owned\u0007\u001b[2J\nFORGED: accepted token for user="root"`
          : `${issuer}/jwks`,
    token_endpoint: `${issuer}/token`,
    response_types_supported: ['code'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['RS256'],
  };
  later(res, state.ddelay, () => sendJson(res, 200, Buffer.from(JSON.stringify(doc))));
}

function jwks(req, res) {
  later(res, state.jdelay, () => {
    const good = jwksBody();
    switch (state.mode) {
      case 'big':
      case 'big-chunked': {
        const parsed = JSON.parse(good);
        parsed.pad = 'x'.repeat(300 * 1024);
        const body = Buffer.from(JSON.stringify(parsed));
        if (state.mode === 'big') return sendJson(res, 200, body);
        res.writeHead(200, { 'content-type': 'application/json' });
        for (let i = 0; i < body.length; i += 16384) res.write(body.subarray(i, i + 16384));
        return res.end();
      }
      case 'badjson':
        return sendJson(res, 200, Buffer.from('{"keys":[{"kty":"RSA","n":'));
      case 'status500':
        return sendJson(res, 500, good);
      case 'reset':
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': good.length });
        res.write(good.subarray(0, Math.floor(good.length / 2)));
        // let the half body leave, then reset the TCP connection under
        // the TLS session (a TLSSocket cannot be reset itself)
        return setTimeout(() => (req.socket._parent ?? req.socket).resetAndDestroy(), 100);
      case 'redirect-http':
        res.writeHead(302, { location: `http://127.0.0.1:${ctlPort}/jwks`, 'content-length': 0 });
        return res.end();
      default:
        return sendJson(res, 200, good);
    }
  });
}

server.on('request', (req, res) => {
  const url = new URL(req.url, 'https://127.0.0.1');
  counts.paths.push(req.url);
  if (url.pathname === '/.well-known/openid-configuration') {
    counts.discovery++;
    return discovery(res);
  }
  if (url.pathname === '/jwks') {
    counts.jwks++;
    return jwks(req, res);
  }
  counts.other++;
  return sendJson(res, 404, Buffer.from('{"error":"not found"}'));
});
// TCP connections, counted before TLS: a client that refuses the
// certificate still shows up here.
server.on('connection', () => { counts.connections++; });
// A client that gives up (time-out, bad certificate) is not our problem.
server.on('tlsClientError', () => {});
server.on('clientError', () => {});

const ctl = http.createServer((req, res) => {
  const url = new URL(req.url, 'http://127.0.0.1');
  const q = url.searchParams;
  const reply = (code, body) => {
    res.writeHead(code, { 'content-type': 'application/json' });
    res.end(`${JSON.stringify(body)}\n`);
  };
  if (url.pathname === '/set') {
    const next = { ...defaults };
    for (const k of Object.keys(defaults)) {
      if (q.has(k)) next[k] = typeof defaults[k] === 'number' ? Number(q.get(k)) : q.get(k);
    }
    if (next.file && (next.file.includes('/') || !fs.existsSync(path.join(dir, next.file)))) {
      return reply(400, { error: `no such file in ${dir}: ${next.file}` });
    }
    if (!certs[next.cert]) return reply(400, { error: `no certificate ${next.cert}` });
    if (next.cert !== state.cert) server.setSecureContext(certs[next.cert]);
    state = next;
    return reply(200, state);
  }
  if (url.pathname === '/stats') {
    const out = counts;
    if (q.has('reset')) counts = zero();
    return reply(200, out);
  }
  if (url.pathname === '/jwks') {
    // the target of the http:// redirect / jwks_uri: a good JWKS in clear
    counts.jwks++;
    return reply(200, JSON.parse(fs.readFileSync(path.join(dir, 'good.jwks'))));
  }
  return reply(404, { error: 'unknown control request' });
});

function listen(srv) {
  return new Promise((resolve, reject) => {
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => resolve(srv.address().port));
  });
}

const port = await listen(server);
ctlPort = await listen(ctl);
issuer = `https://127.0.0.1:${port}`;
const write = (name, text) => {
  fs.writeFileSync(path.join(dir, `${name}.tmp`), `${text}\n`);
  fs.renameSync(path.join(dir, `${name}.tmp`), path.join(dir, name));
};
write('issuer', issuer);
write('ctlport', String(ctlPort));
write('port', String(port));

const stop = () => {
  server.close();
  ctl.close();
  server.closeAllConnections?.();
  ctl.closeAllConnections?.();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
