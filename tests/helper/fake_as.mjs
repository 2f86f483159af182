// A scripted OAuth server for the paths the real test auth center cannot
// be made to take on demand (slow_down, expired_token, hostile error
// texts, access tokens for the wrong audience or already expired).  HTTPS on 127.0.0.1 with the certificate the test
// auth center made (so its ca.pem trusts it).
//
//   node fake_as.mjs DIR MODE
//
// DIR holds server.pem and server.key; the server writes DIR/fake.port
// once it listens and appends one line per token request to
// DIR/fake.polls ("<ms since epoch> <answer>").  MODE:
//   slowdown  token answers: slow_down, then expired_token
//   hostile   token answers: an error whose description carries terminal
//             escape sequences and newlines
//   issue     token answers: success, for the device code and the refresh
//             token grants alike, like an auth center that ignores RFC 8707
//             `resource` when told to: the access token's claims follow
//             DIR/shape.json, read on every request:
//               {"aud": A, "exp": S}
//             A is the aud claim (a string or an array), where "RESOURCE"
//             stands for the request's resource parameter; S is the
//             lifetime in seconds (negative: already expired; null: no
//             exp claim).  Without the file: {"aud": "RESOURCE", "exp": 600}.
//             The signature is fake: the token helper does not verify
//             tokens, the hosts do.
import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';

const [dir, mode] = process.argv.slice(2);
const script = {
  slowdown: ['slow_down', 'expired_token'],
  hostile: ['hostile'],
  issue: ['issue'],
}[mode];
if (!dir || !script) {
  console.error('usage: fake_as.mjs DIR slowdown|hostile|issue');
  process.exit(2);
}

let polls = 0;

const b64u = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');

// An access token shaped by DIR/shape.json for the request's resource.
function issue(iss, form) {
  let shape = { aud: 'RESOURCE', exp: 600 };
  try {
    shape = JSON.parse(fs.readFileSync(path.join(dir, 'shape.json'), 'utf8'));
  } catch (e) {
    if (e.code !== 'ENOENT') throw e;
  }
  const resource = form.get('resource') ?? '';
  const fill = (a) => (a === 'RESOURCE' ? resource : a);
  const now = Math.floor(Date.now() / 1000);
  const claims = { iss, sub: 'alice', iat: now, jti: `jti-${polls}`, client_id: 'pam-jwt-cli' };
  if (shape.aud !== undefined) claims.aud = Array.isArray(shape.aud) ? shape.aud.map(fill) : fill(shape.aud);
  if (shape.exp !== null && shape.exp !== undefined) claims.exp = now + shape.exp;
  const header = { alg: 'ES256', typ: 'at+jwt', kid: 'fake' };
  return {
    access_token: `${b64u(header)}.${b64u(claims)}.ZmFrZS1zaWduYXR1cmU`,
    token_type: 'Bearer',
    expires_in: 600,
    refresh_token: `fake-refresh-${polls}`,
  };
}
const server = https.createServer({
  key: fs.readFileSync(path.join(dir, 'server.key')),
  cert: fs.readFileSync(path.join(dir, 'server.pem')),
});

server.on('request', (req, res) => {
  const { port } = server.address();
  const iss = `https://127.0.0.1:${port}`;
  const reply = (code, body) => {
    res.writeHead(code, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  let body = '';
  req.on('data', (d) => { body += d; });
  req.on('end', () => {
    if (req.url === '/.well-known/openid-configuration') {
      return reply(200, {
        issuer: iss,
        token_endpoint: `${iss}/token`,
        device_authorization_endpoint: `${iss}/device/auth`,
      });
    }
    if (req.url === '/device/auth') {
      return reply(200, {
        device_code: 'fake-device-code',
        user_code: 'FAKE-CODE',
        verification_uri: `${iss}/device`,
        expires_in: 120,
        interval: 1,
      });
    }
    if (req.url === '/token') {
      const answer = script[Math.min(polls, script.length - 1)];
      polls += 1;
      fs.appendFileSync(path.join(dir, 'fake.polls'), `${Date.now()} ${answer}\n`);
      if (answer === 'issue') {
        return reply(200, issue(iss, new URLSearchParams(body)));
      }
      if (answer === 'hostile') {
        return reply(400, {
          error: 'server_error\u001b[31m',
          error_description: 'evil \u001b]0;pwned\u0007 text\nwith a newline',
        });
      }
      return reply(400, { error: answer });
    }
    return reply(404, { error: 'not_found' });
  });
});

server.listen(0, '127.0.0.1', () => {
  fs.writeFileSync(path.join(dir, 'fake.port'), `${server.address().port}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
