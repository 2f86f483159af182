#!/usr/bin/env node
// mint.mjs: print a compact JWS (JWT) on one newline-terminated line.
// See USAGE below and README.md.

import { CompactSign } from 'jose';
import {
  runMain, parseArgs, parseJsonOpt, parseIntOpt, UsageError, readFileOrDie,
  loadPrivateKey, checkKeyForAlg, nodeSign, algInfo, b64u, ASYM_ALGS, HMAC_ALGS,
} from './lib.mjs';

const PROG = 'mint.mjs';
const USAGE = `usage: node mint.mjs --alg ALG (--key FILE | --secret-file FILE | --hs-with-pubkey FILE) [options]
  --alg ALG           ${ASYM_ALGS.join(' ')}
                      ${HMAC_ALGS.join(' ')} (with --secret-file), or none (unsecured "h.p.")
  --key FILE          private key: .priv.jwk (JSON) or .priv.pem (PKCS#8 / RSA / EC PEM)
  --secret-file FILE  HMAC secret for HS*, the file's bytes exactly as they are
  --hs-with-pubkey F  alg-confusion attack: HMAC (default HS256) keyed with the bytes of
                      public key file F (e.g. X.pub.pem); always signed with node:crypto
  --trim-secret       strip trailing whitespace/newlines from the secret / key file bytes
header:
  --kid KID           "kid" header member
  --typ T             "typ" header member (default "JWT"); --no-typ omits it
  --header JSON       merge members into the protected header (overrides, incl. "alg")
  --del-header NAME   remove a header member (repeatable)
claims (times are integers, seconds; --now defaults to the current time):
  --now EPOCH         the "current" time used for iat/nbf/exp
  --iss S  --sub S  --aud S (repeat --aud for an array)
  --exp-in N          exp = now + N (default 300; may be negative)   --no-exp omits exp
  --iat-in N          iat = now + N (default 0)                      --no-iat omits iat
  --nbf-in N          nbf = now + N (default: no nbf)
  --claims JSON       merge/override claims (applied after the options above)
  --del-claim NAME    remove a claim (repeatable)
  --pad-claim N       add claim "pad" = a string of N "x" characters
  --target-len N      choose the "pad" length so the whole token is exactly N characters
signing:
  --engine E          auto (default) | jose | node.  auto = jose, falling back to node:crypto
                      when jose refuses (RSA < 2048 bits, odd "crit"/"b64", header alg != --alg...)
  --corrupt-sig       flip one bit of the signature (a structurally valid but wrong signature)
`;

const SPEC = {
  alg: 'string', key: 'string', 'secret-file': 'string', 'hs-with-pubkey': 'string',
  'trim-secret': 'bool',
  kid: 'string', typ: 'string', 'no-typ': 'bool', header: 'string', 'del-header': 'list',
  now: 'string', iss: 'string', sub: 'string', aud: 'list',
  'exp-in': 'string', 'no-exp': 'bool', 'iat-in': 'string', 'no-iat': 'bool', 'nbf-in': 'string',
  claims: 'string', 'del-claim': 'list', 'pad-claim': 'string', 'target-len': 'string',
  engine: 'string', 'corrupt-sig': 'bool', help: 'bool',
};

/** Build { header, claims } objects from options (no signing). */
function buildParts(opts, alg) {
  const header = { alg };
  if (!opts['no-typ']) header.typ = opts.typ ?? 'JWT';
  else if (opts.typ !== undefined) throw new UsageError('--typ and --no-typ are mutually exclusive');
  if (opts.kid !== undefined) header.kid = opts.kid;
  if (opts.header !== undefined) Object.assign(header, parseJsonOpt('header', opts.header));
  for (const n of opts['del-header'] ?? []) delete header[n];

  const now = opts.now !== undefined ? parseIntOpt('now', opts.now) : Math.floor(Date.now() / 1000);
  const claims = {};
  if (opts.iss !== undefined) claims.iss = opts.iss;
  if (opts.sub !== undefined) claims.sub = opts.sub;
  if (opts.aud !== undefined) claims.aud = opts.aud.length === 1 ? opts.aud[0] : opts.aud;
  if (opts['no-iat']) {
    if (opts['iat-in'] !== undefined) throw new UsageError('--iat-in and --no-iat are mutually exclusive');
  } else {
    claims.iat = now + (opts['iat-in'] !== undefined ? parseIntOpt('iat-in', opts['iat-in']) : 0);
  }
  if (opts['nbf-in'] !== undefined) claims.nbf = now + parseIntOpt('nbf-in', opts['nbf-in']);
  if (opts['no-exp']) {
    if (opts['exp-in'] !== undefined) throw new UsageError('--exp-in and --no-exp are mutually exclusive');
  } else {
    claims.exp = now + (opts['exp-in'] !== undefined ? parseIntOpt('exp-in', opts['exp-in']) : 300);
  }
  if (opts.claims !== undefined) Object.assign(claims, parseJsonOpt('claims', opts.claims));
  for (const n of opts['del-claim'] ?? []) delete claims[n];
  if (opts['pad-claim'] !== undefined) {
    const n = parseIntOpt('pad-claim', opts['pad-claim']);
    if (n < 0) throw new UsageError('--pad-claim must be >= 0');
    claims.pad = 'x'.repeat(n);
  }
  return { header, claims };
}

/** Sign "h.p" for the given alg/key; returns the full compact token. */
async function signCompact({ alg, key, secret, engine, headerB64, payloadBytes, header }) {
  const payloadB64 = b64u(payloadBytes);
  const signingInput = Buffer.from(`${headerB64}.${payloadB64}`, 'ascii');

  if (alg === 'none') return `${headerB64}.${payloadB64}.`;

  const nodeToken = () => `${headerB64}.${payloadB64}.${b64u(nodeSign(alg, key ?? secret, signingInput))}`;
  if (engine === 'node') return nodeToken();

  // jose signs with header.alg, so it can only be used when that matches --alg.
  // It also needs every "crit" member declared as understood.
  let joseError;
  try {
    if (header.alg !== alg) throw new Error(`protected header alg ${JSON.stringify(header.alg)} differs from --alg ${alg}`);
    const crit = Array.isArray(header.crit)
      ? Object.fromEntries(header.crit.filter((c) => typeof c === 'string').map((c) => [c, true]))
      : undefined;
    const jws = await new CompactSign(payloadBytes)
      .setProtectedHeader(header)
      .sign(key ?? new Uint8Array(secret), crit ? { crit } : undefined);
    const [h, p] = jws.split('.');
    if (h !== headerB64 || p !== payloadB64) {
      throw new Error('jose serialised the header/payload differently');
    }
    return jws;
  } catch (e) {
    joseError = e;
  }
  if (engine === 'jose') throw new Error(`jose refused to sign: ${joseError.message}`);
  if (process.env.JOSE_TOOLS_DEBUG) process.stderr.write(`${PROG}: note: jose refused (${joseError.message}); signed with node:crypto\n`);
  return nodeToken();
}

function corrupt(token) {
  const parts = token.split('.');
  if (!parts[2]) throw new UsageError('--corrupt-sig: token has no signature');
  const sig = Buffer.from(parts[2], 'base64url');
  sig[sig.length >> 1] ^= 0x01;
  parts[2] = b64u(sig);
  return parts.join('.');
}

runMain(PROG, USAGE, async () => {
  const { opts, positional } = parseArgs(process.argv.slice(2), SPEC);
  if (opts.help) {
    process.stdout.write(USAGE);
    return;
  }
  if (positional.length) throw new UsageError(`unexpected argument ${JSON.stringify(positional[0])}`);

  const keySources = ['key', 'secret-file', 'hs-with-pubkey'].filter((k) => opts[k] !== undefined);
  if (keySources.length > 1) throw new UsageError(`--${keySources.join(' and --')} are mutually exclusive`);

  let alg = opts.alg;
  if (opts['hs-with-pubkey'] !== undefined) alg ??= 'HS256';
  if (alg === undefined) throw new UsageError('--alg is required');

  const engine = opts.engine ?? 'auto';
  if (!['auto', 'jose', 'node'].includes(engine)) throw new UsageError('--engine must be auto, jose or node');

  let key, secret;
  if (alg === 'none') {
    if (keySources.length) throw new UsageError('--alg none takes no key');
  } else {
    const info = algInfo(alg);
    if (opts['trim-secret'] && info.family !== 'HMAC') throw new UsageError('--trim-secret needs an HS* alg');
    if (info.family === 'HMAC') {
      if (opts['secret-file'] !== undefined) secret = readFileOrDie(opts['secret-file'], 'secret file');
      else if (opts['hs-with-pubkey'] !== undefined) secret = readFileOrDie(opts['hs-with-pubkey'], 'public key file');
      else throw new UsageError(`--alg ${alg} needs --secret-file FILE (or --hs-with-pubkey FILE)`);
      if (opts['trim-secret']) {
        let end = secret.length;
        while (end > 0 && [0x20, 0x09, 0x0a, 0x0d].includes(secret[end - 1])) end--;
        secret = secret.subarray(0, end);
      }
    } else {
      if (opts['hs-with-pubkey'] !== undefined) throw new UsageError('--hs-with-pubkey needs an HS* alg');
      if (opts.key === undefined) throw new UsageError(`--alg ${alg} needs --key FILE`);
      key = loadPrivateKey(opts.key);
      checkKeyForAlg(key, alg);
    }
  }

  // hs-confusion tokens are always signed with node:crypto (jose has guards against this).
  const eng = opts['hs-with-pubkey'] !== undefined ? 'node' : engine;

  const { header, claims } = buildParts(opts, alg);
  const headerB64 = b64u(Buffer.from(JSON.stringify(header), 'utf8'));
  const sign = (cl) => signCompact({
    alg, key, secret, engine: eng, header, headerB64,
    payloadBytes: Buffer.from(JSON.stringify(cl), 'utf8'),
  });

  let token;
  if (opts['target-len'] !== undefined) {
    if (opts['pad-claim'] !== undefined) throw new UsageError('--target-len and --pad-claim are mutually exclusive');
    const target = parseIntOpt('target-len', opts['target-len']);
    // Signature length is fixed per key, so measure once with an empty pad, then
    // compute the pad; base64url can't produce a length of 4k+1, so some
    // targets are unreachable by padding the payload alone.
    const base = { ...claims, pad: '' };
    const t0 = await sign(base);
    const [h, p0, s] = t0.split('.');
    const fixed = h.length + s.length + 2;
    const p0bytes = Buffer.byteLength(JSON.stringify(base), 'utf8');
    const wantP = target - fixed;
    const b64len = (n) => Math.floor(n / 3) * 4 + [0, 2, 3][n % 3];
    let n = -1;
    for (let extra = Math.max(0, Math.floor((wantP * 3) / 4) - p0bytes - 3); b64len(p0bytes + extra) <= wantP; extra++) {
      if (b64len(p0bytes + extra) === wantP) { n = extra; break; }
    }
    if (n < 0) {
      if (wantP < p0.length) throw new Error(`--target-len ${target}: smallest possible token is ${fixed + p0.length} characters`);
      throw new Error(`--target-len ${target}: not reachable (base64url lengths are never 4k+1); try ${target - 1} or ${target + 1}`);
    }
    token = await sign({ ...claims, pad: 'x'.repeat(n) });
    if (token.length !== target) throw new Error(`internal: made ${token.length} characters, wanted ${target}`);
  } else {
    token = await sign(claims);
  }
  if (opts['corrupt-sig']) token = corrupt(token);
  process.stdout.write(token + '\n');
});
