// Shared helpers for the pam_jwt test token tools.
//
// Everything here is independent of pam_jwt's own C code: signing is done
// either by the `jose` npm package or by Node's built-in `node:crypto`
// (OpenSSL inside Node), never by anything built from this repository.

import { readFileSync } from 'node:fs';
import * as crypto from 'node:crypto';

export class UsageError extends Error {}

// ---------------------------------------------------------------------------
// CLI plumbing

/** Print "prog: error: msg" to stderr and exit non-zero. */
export function die(prog, msg, code = 2) {
  process.stderr.write(`${prog}: error: ${msg}\n`);
  process.exit(code);
}

/**
 * Run an async main(); any thrown error becomes a one-line stderr message
 * and a non-zero exit (2 for usage errors, 1 for everything else).
 */
export function runMain(prog, usage, main) {
  Promise.resolve()
    .then(main)
    .catch((err) => {
      if (err instanceof UsageError) {
        process.stderr.write(`${prog}: error: ${err.message}\n${usage}`);
        process.exit(2);
      }
      const detail = process.env.JOSE_TOOLS_DEBUG ? `\n${err.stack}` : '';
      process.stderr.write(`${prog}: error: ${err.message}${detail}\n`);
      process.exit(1);
    });
}

/**
 * Tiny option parser.
 *   spec: { name: 'string' | 'bool' | 'list' }   (names without leading --)
 * Accepts "--name value" and "--name=value".  The value of a string option
 * is always the next argv element, even if it starts with "-" (so
 * "--exp-in -60" works).  "--" ends options.  Returns { opts, positional }.
 */
export function parseArgs(argv, spec) {
  const opts = {};
  const positional = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      positional.push(...argv.slice(i + 1));
      break;
    }
    if (!a.startsWith('--') || a === '--') {
      positional.push(a);
      continue;
    }
    let name = a.slice(2);
    let inline;
    const eq = name.indexOf('=');
    if (eq >= 0) {
      inline = name.slice(eq + 1);
      name = name.slice(0, eq);
    }
    const kind = spec[name];
    if (!kind) throw new UsageError(`unknown option --${name}`);
    if (kind === 'bool') {
      if (inline !== undefined) throw new UsageError(`option --${name} takes no value`);
      opts[name] = true;
      continue;
    }
    let val = inline;
    if (val === undefined) {
      if (i + 1 >= argv.length) throw new UsageError(`option --${name} needs a value`);
      val = argv[++i];
    }
    if (kind === 'list') (opts[name] ??= []).push(val);
    else opts[name] = val;
  }
  return { opts, positional };
}

export function parseJsonOpt(name, text, { object = true } = {}) {
  let v;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`--${name}: not valid JSON (${e.message})`);
  }
  if (object && (v === null || typeof v !== 'object' || Array.isArray(v))) {
    throw new UsageError(`--${name}: must be a JSON object`);
  }
  return v;
}

export function parseIntOpt(name, text) {
  if (!/^[+-]?\d+$/.test(String(text).trim())) {
    throw new UsageError(`--${name}: not an integer: ${JSON.stringify(text)}`);
  }
  return Number.parseInt(text, 10);
}

export function readFileOrDie(path, what = 'file') {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new Error(`cannot read ${what} ${path}: ${e.code || e.message}`);
  }
}

export async function readStdin() {
  const chunks = [];
  for await (const c of process.stdin) chunks.push(c);
  return Buffer.concat(chunks);
}

// ---------------------------------------------------------------------------
// base64url

export const b64u = (buf) => Buffer.from(buf).toString('base64url');
export const b64uJson = (obj) => b64u(Buffer.from(JSON.stringify(obj), 'utf8'));

// ---------------------------------------------------------------------------
// Algorithms

export const ASYM_ALGS = [
  'RS256', 'RS384', 'RS512',
  'PS256', 'PS384', 'PS512',
  'ES256', 'ES384', 'ES512',
  'EdDSA', 'Ed25519',
];
export const HMAC_ALGS = ['HS256', 'HS384', 'HS512'];

/** Static facts about a JWS alg, as used for node:crypto signing. */
export function algInfo(alg) {
  const m = /^(RS|PS|ES|HS)(256|384|512)$/.exec(alg);
  if (m) {
    const bits = Number(m[2]);
    const digest = `sha${bits}`;
    switch (m[1]) {
      case 'RS': return { family: 'RSA', digest, kty: 'RSA' };
      case 'PS': return { family: 'PSS', digest, kty: 'RSA', saltLength: bits / 8 };
      case 'ES': {
        const crv = { 256: 'P-256', 384: 'P-384', 512: 'P-521' }[bits];
        const nodeCurve = { 256: 'prime256v1', 384: 'secp384r1', 512: 'secp521r1' }[bits];
        const coordLen = { 256: 32, 384: 48, 512: 66 }[bits];
        return { family: 'EC', digest, kty: 'EC', crv, nodeCurve, sigLen: 2 * coordLen };
      }
      case 'HS': return { family: 'HMAC', digest, kty: 'oct' };
    }
  }
  if (alg === 'EdDSA' || alg === 'Ed25519') {
    return { family: 'OKP', digest: null, kty: 'OKP', crv: 'Ed25519' };
  }
  throw new UsageError(`unsupported alg ${JSON.stringify(alg)} (expected one of ${[...ASYM_ALGS, ...HMAC_ALGS].join(' ')} or none)`);
}

// ---------------------------------------------------------------------------
// Keys

/**
 * Load a private key from a file holding either a JWK (JSON) or a PEM
 * (PKCS#8 "PRIVATE KEY", or traditional "RSA/EC PRIVATE KEY").
 * Returns a node:crypto KeyObject (type 'private').
 */
export function loadPrivateKey(path) {
  const raw = readFileOrDie(path, 'key file');
  const text = raw.toString('utf8').trim();
  try {
    if (text.startsWith('{')) {
      const jwk = JSON.parse(text);
      if (jwk.kty === 'oct') throw new Error('this is a symmetric (oct) JWK; use --secret-file for HS* algs');
      if (jwk.d === undefined) throw new Error('JWK has no private part ("d"); pass the .priv.jwk file');
      return crypto.createPrivateKey({ key: jwk, format: 'jwk' });
    }
    if (text.includes('-----BEGIN')) {
      if (/-----BEGIN (PUBLIC KEY|RSA PUBLIC KEY|CERTIFICATE)-----/.test(text)) {
        throw new Error('this is a public key/certificate; pass the private key (.priv.pem / .priv.jwk)');
      }
      return crypto.createPrivateKey({ key: text, format: 'pem' });
    }
  } catch (e) {
    throw new Error(`cannot load private key ${path}: ${e.message}`);
  }
  throw new Error(`cannot load private key ${path}: neither JSON (JWK) nor PEM`);
}

/** Check that a KeyObject fits the alg; returns a short description. */
export function checkKeyForAlg(key, alg) {
  const info = algInfo(alg);
  const t = key.asymmetricKeyType;
  const d = key.asymmetricKeyDetails || {};
  const bad = (want) => {
    throw new Error(`key does not fit ${alg}: key is ${t}${d.namedCurve ? ' ' + d.namedCurve : ''}, ${alg} needs ${want}`);
  };
  switch (info.family) {
    case 'RSA':
    case 'PSS':
      if (t !== 'rsa' && t !== 'rsa-pss') bad('an RSA key');
      return { modulusLength: d.modulusLength };
    case 'EC':
      if (t !== 'ec') bad(`an EC ${info.crv} key`);
      if (d.namedCurve !== info.nodeCurve) bad(`curve ${info.crv} (${info.nodeCurve})`);
      return {};
    case 'OKP':
      if (t !== 'ed25519') bad('an Ed25519 key');
      return {};
    default:
      bad('a secret (use --secret-file)');
  }
  return {};
}

/**
 * Sign `data` (Buffer) for JWS alg `alg` with node:crypto and return the
 * raw JOSE signature bytes (ECDSA as fixed-length r||s, i.e. IEEE P1363).
 * `key` is a private KeyObject, or a Buffer secret for HS*.
 */
export function nodeSign(alg, key, data) {
  const info = algInfo(alg);
  switch (info.family) {
    case 'HMAC':
      if (!Buffer.isBuffer(key) && !(key instanceof Uint8Array)) throw new Error(`${alg} needs a raw secret`);
      return crypto.createHmac(info.digest, key).update(data).digest();
    case 'RSA':
      return crypto.sign(info.digest, data, { key, padding: crypto.constants.RSA_PKCS1_PADDING });
    case 'PSS':
      return crypto.sign(info.digest, data, {
        key,
        padding: crypto.constants.RSA_PKCS1_PSS_PADDING,
        saltLength: info.saltLength,
      });
    case 'EC': {
      const sig = crypto.sign(info.digest, data, { key, dsaEncoding: 'ieee-p1363' });
      if (sig.length !== info.sigLen) throw new Error(`internal: ${alg} signature is ${sig.length} bytes, expected ${info.sigLen}`);
      return sig;
    }
    case 'OKP':
      return crypto.sign(null, data, key);
  }
  throw new Error(`cannot sign with ${alg}`);
}
