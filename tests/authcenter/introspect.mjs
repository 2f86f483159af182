// RFC 7662 token introspection for the test auth center's JWT access
// tokens.  oidc-provider keeps only opaque tokens in its store, so its
// own endpoint answers {"active":false} for every JWT access token; this
// one answers the way a production auth center does:
//
//   - the caller authenticates as a confidential client, with HTTP Basic
//     (client_secret_basic) or client_id + client_secret in the body
//     (client_secret_post): pam-jwt-host / pam-jwt-host-secret or
//     robot-deploy / robot-deploy-secret; otherwise 401 invalid_client;
//   - a token is active when its signature verifies with the auth
//     center's keys, it has not expired, this server issued it (its jti was
//     seen when it was issued), its grant still exists (revoking the
//     refresh token at /token/revocation, or `pam-jwt logout`, destroys
//     the grant) and its user is not marked "disabled": true in users.json;
//   - an active answer carries active, sub, aud, exp, iat, iss, jti,
//     client_id, scope, token_type; anything else is {"active":false}.
//
// Test control (see ac.sh introspect): an override merged into every
// active answer (to make the answer disagree with the token) and a delay
// before answering (a slow auth center).
import { createLocalJWKSet, jwtVerify } from 'jose';

const SECRETS = { 'pam-jwt-host': 'pam-jwt-host-secret', 'robot-deploy': 'robot-deploy-secret' };

export function makeIntrospection({ provider, keys, issuer, users }) {
  const issued = new Map(); // jti -> { grantId }
  const remember = (t) => issued.set(t.jti, { grantId: t.grantId });
  provider.on('access_token.issued', remember);
  provider.on('client_credentials.issued', remember);
  const jwks = createLocalJWKSet({
    keys: keys.map(({ d, p, q, dp, dq, qi, ...pub }) => pub),
  });
  let override = {};
  let delayMs = 0;
  let calls = [];

  const reply = (res, code, body) => {
    res.writeHead(code, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    res.end(`${JSON.stringify(body)}\n`);
  };

  const client = (req, form) => {
    const auth = req.headers.authorization ?? '';
    if (auth.startsWith('Basic ')) {
      const [id, secret] = Buffer.from(auth.slice(6), 'base64').toString().split(':');
      return { id: decodeURIComponent(id ?? ''), secret: decodeURIComponent(secret ?? ''), how: 'basic' };
    }
    return { id: form.get('client_id') ?? '', secret: form.get('client_secret') ?? '', how: 'post' };
  };

  async function answer(form) {
    const token = form.get('token') ?? '';
    if (token.split('.').length !== 3) return { active: false };
    let payload;
    try {
      ({ payload } = await jwtVerify(token, jwks, { issuer }));
    } catch {
      return { active: false };
    }
    const seen = issued.get(payload.jti);
    if (!seen) return { active: false };
    if (seen.grantId && !(await provider.Grant.find(seen.grantId))) return { active: false };
    if (users()[payload.sub]?.disabled === true) return { active: false };
    return {
      active: true,
      sub: payload.sub,
      aud: payload.aud,
      exp: payload.exp,
      iat: payload.iat,
      iss: payload.iss,
      jti: payload.jti,
      client_id: payload.client_id,
      scope: payload.scope,
      token_type: 'Bearer',
      ...override,
    };
  }

  // POST /token/introspection
  async function handle(req, res) {
    let body = '';
    for await (const chunk of req) {
      body += chunk;
      if (body.length > 64 * 1024) return reply(res, 413, { error: 'invalid_request' });
    }
    const form = new URLSearchParams(body);
    const c = client(req, form);
    calls.push({ client_id: c.id, auth: c.how, token_type_hint: form.get('token_type_hint') });
    if (!SECRETS[c.id] || SECRETS[c.id] !== c.secret) {
      return reply(res, 401, { error: 'invalid_client' });
    }
    const a = await answer(form);
    if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
    if (res.destroyed) return undefined;
    return reply(res, 200, a);
  }

  // PUT /_test/introspect?override=JSON&delay=MS ; GET: the calls so far
  function control(req, url) {
    if (req.method === 'PUT') {
      override = JSON.parse(url.searchParams.get('override') || '{}');
      delayMs = Number(url.searchParams.get('delay') || 0);
      return { override, delay: delayMs };
    }
    if (req.method === 'DELETE') calls = [];
    return { calls };
  }

  return { handle, control };
}
