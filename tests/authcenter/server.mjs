// Test auth center for pam_jwt: a real OpenID Connect provider (oidc-provider)
// on 127.0.0.1 over HTTPS. Driven by ac.sh; see README.md.
//
//   node server.mjs serve STATEDIR [--port N] [--alg ALG] [--ttl SECONDS]
//   node server.mjs rotate-keys STATEDIR [--keep-old]
//
// STATEDIR holds server.pem/server.key (made by ac.sh), keys.json (private
// signing keys), store.json (grants and tokens, so a restart keeps them),
// resources.json (per-audience alg/ttl/scope), requests.log, and the port
// file written once the server listens.

import crypto from 'node:crypto';
import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { parseArgs } from 'node:util';
import Provider from 'oidc-provider';

import { makeIntrospection } from './introspect.mjs';

const HERE = path.dirname(new URL(import.meta.url).pathname);
const ALGS = ['RS256', 'ES256', 'EdDSA'];
const BASE_SCOPES = 'ssh sudo login read write admin';

function readJson(file, fallback) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    if (err.code === 'ENOENT') return fallback;
    throw err;
  }
}

function writeFileAtomic(file, data, mode = 0o644) {
  const tmp = `${file}.tmp${process.pid}`;
  fs.writeFileSync(tmp, data, { mode });
  fs.renameSync(tmp, file);
}

// ---- signing keys --------------------------------------------------------

function newKey(alg) {
  const [type, opts] = {
    RS256: ['rsa', { modulusLength: 2048 }],
    ES256: ['ec', { namedCurve: 'P-256' }],
    EdDSA: ['ed25519', {}],
  }[alg];
  const { privateKey } = crypto.generateKeyPairSync(type, opts);
  const kid = `${alg.toLowerCase()}-${crypto.randomBytes(6).toString('hex')}`;
  return { ...privateKey.export({ format: 'jwk' }), kid, use: 'sig' };
}

// New keys come first: oidc-provider signs with the first key that fits the
// alg, so old keys (--keep-old) are only published for verification.
function rotateKeys(stateDir, keepOld) {
  const file = path.join(stateDir, 'keys.json');
  const old = readJson(file, { keys: [] }).keys.slice(0, ALGS.length);
  const keys = ALGS.map(newKey).concat(keepOld ? old : []);
  writeFileAtomic(file, `${JSON.stringify({ keys }, null, 1)}\n`, 0o600);
  return keys;
}

// ---- a small file-backed adapter (so restarts keep grants and tokens) ------

function fileAdapter(file) {
  const now = () => Math.floor(Date.now() / 1000);
  const db = new Map(Object.entries(readJson(file, {})));
  const save = () => {
    for (const [key, e] of db) if (e.exp && e.exp < now()) db.delete(key);
    writeFileAtomic(file, JSON.stringify(Object.fromEntries(db)), 0o600);
  };
  const live = (key) => {
    const e = db.get(key);
    if (e && e.exp && e.exp < now()) { db.delete(key); return undefined; }
    return e;
  };
  const findBy = (model, field, value) => {
    for (const [key, e] of db) {
      if (key.startsWith(`${model}:`) && e.payload[field] === value && live(key)) return e.payload;
    }
    return undefined;
  };
  return class FileAdapter {
    constructor(model) { this.model = model; }
    key(id) { return `${this.model}:${id}`; }
    async upsert(id, payload, expiresIn) {
      db.set(this.key(id), { payload, exp: expiresIn ? now() + expiresIn : 0 });
      save();
    }
    async find(id) { return live(this.key(id))?.payload; }
    async findByUid(uid) { return findBy(this.model, 'uid', uid); }
    async findByUserCode(code) { return findBy(this.model, 'userCode', code); }
    async consume(id) {
      const e = live(this.key(id));
      if (e) { e.payload.consumed = now(); save(); }
    }
    async destroy(id) { db.delete(this.key(id)); save(); }
    async revokeByGrantId(grantId) {
      for (const [key, e] of db) if (e.payload.grantId === grantId) db.delete(key);
      save();
    }
  };
}

// ---- the server ----------------------------------------------------------

async function serve(stateDir, opts) {
  const st = (name) => path.join(stateDir, name);
  const defaultAlg = opts.alg;
  const defaultTtl = Number(opts.ttl);
  if (!ALGS.includes(defaultAlg)) throw new Error(`--alg must be one of ${ALGS}`);
  if (!(Number.isInteger(defaultTtl) && defaultTtl >= 1)) throw new Error('--ttl must be a whole number of seconds >= 1');

  const keys = fs.existsSync(st('keys.json')) ? readJson(st('keys.json')).keys : rotateKeys(stateDir, false);
  const resources = readJson(st('resources.json'), {});
  const users = () => readJson(st('users.json'), null) ?? readJson(path.join(HERE, 'users.json'), {});

  const server = https.createServer({
    key: fs.readFileSync(st('server.key')),
    cert: fs.readFileSync(st('server.pem')),
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(Number(opts.port), '127.0.0.1', resolve);
  });
  const { port } = server.address();
  const issuer = `https://127.0.0.1:${port}`;

  const account = (id) => {
    const groups = users()[id]?.groups;
    return { preferred_username: id, ...(Array.isArray(groups) ? { groups } : {}) };
  };

  const provider = new Provider(issuer, {
    adapter: fileAdapter(st('store.json')),
    jwks: { keys },
    cookies: { keys: [crypto.randomBytes(32).toString('base64url')] },
    clients: [
      {
        client_id: 'pam-jwt-cli',
        token_endpoint_auth_method: 'none',
        application_type: 'native',
        grant_types: ['urn:ietf:params:oauth:grant-type:device_code', 'refresh_token', 'authorization_code'],
        response_types: ['code'],
        redirect_uris: ['http://127.0.0.1/callback'],
      },
      {
        // a host that introspects tokens (introspect.mjs)
        client_id: 'pam-jwt-host',
        client_secret: 'pam-jwt-host-secret',
        grant_types: [],
        response_types: [],
        redirect_uris: [],
      },
      {
        client_id: 'robot-deploy',
        client_secret: 'robot-deploy-secret',
        grant_types: ['client_credentials'],
        response_types: [],
        redirect_uris: [],
      },
    ],
    scopes: ['openid', 'offline_access', 'profile', 'groups'],
    claims: { openid: ['sub'], profile: ['preferred_username'], groups: ['groups'] },
    findAccount: (ctx, id) => ({ accountId: id, claims: () => ({ sub: id, ...account(id) }) }),
    extraTokenClaims: (ctx, token) => (token.accountId ? account(token.accountId) : undefined),
    ttl: {
      AccessToken: (ctx, token) => token.resourceServer?.accessTokenTTL || defaultTtl,
      ClientCredentials: (ctx, token) => token.resourceServer?.accessTokenTTL || defaultTtl,
      DeviceCode: 600,
      Grant: 14 * 24 * 3600,
      IdToken: 3600,
      Interaction: 600,
      RefreshToken: 24 * 3600,
      Session: 24 * 3600,
    },
    features: {
      devInteractions: { enabled: true },
      deviceFlow: { enabled: true },
      clientCredentials: { enabled: true },
      revocation: { enabled: true },
      introspection: { enabled: true },
      resourceIndicators: {
        enabled: true,
        useGrantedResource: () => true,
        getResourceServerInfo: (ctx, resource) => {
          const r = resources[resource] ?? {};
          return {
            scope: [BASE_SCOPES, r.scope].filter(Boolean).join(' '),
            audience: resource,
            accessTokenFormat: 'jwt',
            accessTokenTTL: r.ttl ?? defaultTtl,
            jwt: { sign: { alg: r.alg ?? defaultAlg } },
          };
        },
      },
    },
  });

  // Counters and a request log, so tests can see how often the module
  // fetched discovery and the JWKS.
  let counts = {};
  const log = fs.createWriteStream(st('requests.log'), { flags: 'a' });
  const control = (req, res, url) => {
    const reply = (code, body) => {
      res.writeHead(code, { 'content-type': 'application/json' });
      res.end(`${JSON.stringify(body)}\n`);
    };
    if (url.pathname === '/_test/stats' && req.method === 'GET') {
      return reply(200, {
        discovery: counts['/.well-known/openid-configuration'] ?? 0,
        jwks: counts['/jwks'] ?? 0,
        token: counts['/token'] ?? 0,
        paths: counts,
      });
    }
    if (url.pathname === '/_test/stats' && req.method === 'DELETE') {
      counts = {};
      return reply(200, {});
    }
    if (url.pathname === '/_test/resource' && req.method === 'PUT') {
      const q = url.searchParams;
      const aud = q.get('aud');
      const r = {};
      if (q.get('alg')) r.alg = q.get('alg');
      if (q.get('ttl')) r.ttl = Number(q.get('ttl'));
      if (q.get('scope')) r.scope = q.get('scope');
      if (!aud || (r.alg && !ALGS.includes(r.alg)) || (r.ttl !== undefined && !(Number.isInteger(r.ttl) && r.ttl >= 1))) {
        return reply(400, { error: 'need aud; alg in RS256|ES256|EdDSA; ttl >= 1' });
      }
      if (Object.keys(r).length) resources[aud] = r; else delete resources[aud];
      writeFileAtomic(st('resources.json'), `${JSON.stringify(resources, null, 1)}\n`);
      return reply(200, { [aud]: r });
    }
    return reply(404, { error: 'unknown control request' });
  };

  const app = provider.callback();
  const introspection = makeIntrospection({ provider, keys, issuer, users });
  server.on('request', (req, res) => {
    const url = new URL(req.url, issuer);
    if (url.pathname === '/_test/introspect') {
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end(`${JSON.stringify(introspection.control(req, url))}\n`);
    }
    if (url.pathname.startsWith('/_test/')) return control(req, res, url);
    // one counter for all /interaction/UID and /device/UID pages
    const name = url.pathname.replace(/^\/(interaction|device)\/(?!auth$)[^/]+/, '/$1/:uid');
    counts[name] = (counts[name] ?? 0) + 1;
    res.on('finish', () => {
      log.write(`${Math.floor(Date.now() / 1000)} ${req.method} ${name} ${res.statusCode}\n`);
    });
    if (url.pathname === '/token/introspection' && req.method === 'POST') {
      return introspection.handle(req, res).catch(() => {
        if (!res.headersSent) res.writeHead(500);
        res.end();
      });
    }
    return app(req, res);
  });

  const stop = () => {
    server.close();
    server.closeAllConnections();
    log.end(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);

  writeFileAtomic(st('port'), `${port}\n`);
  console.log(`listening on ${issuer} pid ${process.pid}`);
}

// ---- command line ----------------------------------------------------------

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    port: { type: 'string', default: '0' },
    alg: { type: 'string', default: process.env.AC_ALG || 'RS256' },
    ttl: { type: 'string', default: process.env.AC_TTL || '600' },
    'keep-old': { type: 'boolean', default: false },
  },
});
const [cmd, stateDir] = positionals;
try {
  if (!stateDir || positionals.length !== 2) throw new Error('usage: server.mjs serve|rotate-keys STATEDIR [options]');
  if (cmd === 'serve') {
    await serve(stateDir, values);
  } else if (cmd === 'rotate-keys') {
    console.log(rotateKeys(stateDir, values['keep-old']).map((k) => k.kid).join(' '));
  } else {
    throw new Error(`unknown command ${cmd}`);
  }
} catch (err) {
  console.error(`server.mjs: ${err.message}`);
  process.exit(1);
}
