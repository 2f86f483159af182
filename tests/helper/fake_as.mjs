// A scripted OAuth server for the device-flow paths the real test auth
// center cannot be made to take on demand (slow_down, expired_token,
// hostile error texts).  HTTPS on 127.0.0.1 with the certificate the test
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
import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';

const [dir, mode] = process.argv.slice(2);
const script = {
  slowdown: ['slow_down', 'expired_token'],
  hostile: ['hostile'],
}[mode];
if (!dir || !script) {
  console.error('usage: fake_as.mjs DIR slowdown|hostile');
  process.exit(2);
}

let polls = 0;
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
