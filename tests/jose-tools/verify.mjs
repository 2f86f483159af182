#!/usr/bin/env node
// verify.mjs (--key FILE | --jwks FILE | --secret-file FILE) [--alg ALG] [--now EPOCH]
//            [--iss S] [--aud S] [--crit NAME]... [TOKEN]
//
// Reference verifier built on jose's jwtVerify (used by selftest.sh; also handy
// to double-check a token a test made).  TOKEN is read from stdin if omitted.
// On success prints {"protectedHeader":...,"payload":...} and exits 0;
// otherwise prints the jose error code/message to stderr and exits 1.

import { readFileSync } from 'node:fs';
import * as crypto from 'node:crypto';
import { jwtVerify, createLocalJWKSet, importJWK } from 'jose';
import { runMain, parseArgs, parseIntOpt, UsageError, readStdin, readFileOrDie } from './lib.mjs';

const PROG = 'verify.mjs';
const USAGE = `usage: node verify.mjs (--key FILE | --jwks FILE | --secret-file FILE) [--alg ALG] [--now EPOCH] [--iss S] [--aud S] [--crit NAME]... [TOKEN]
  --key FILE          public key: X.pub.jwk or X.pub.pem (SPKI)
  --jwks FILE         a JWKS (key picked by kid/alg like a real relying party)
  --secret-file FILE  HMAC secret for HS*
  --alg ALG           only accept this alg (repeatable); default: whatever fits the key
  --now EPOCH         verify as if the current time were EPOCH
  --crit NAME         treat crit extension NAME as understood (repeatable)
`;

runMain(PROG, USAGE, async () => {
  const { opts, positional } = parseArgs(process.argv.slice(2), {
    key: 'string', jwks: 'string', 'secret-file': 'string', alg: 'list', now: 'string',
    iss: 'string', aud: 'string', crit: 'list', help: 'bool',
  });
  if (opts.help) {
    process.stdout.write(USAGE);
    return;
  }
  const srcs = ['key', 'jwks', 'secret-file'].filter((k) => opts[k] !== undefined);
  if (srcs.length !== 1) throw new UsageError('give exactly one of --key, --jwks, --secret-file');
  if (positional.length > 1) throw new UsageError('at most one TOKEN');
  const token = (positional[0] ?? (await readStdin()).toString('utf8')).trim();

  let key;
  if (opts.jwks !== undefined) {
    key = createLocalJWKSet(JSON.parse(readFileOrDie(opts.jwks, 'JWKS file').toString('utf8')));
  } else if (opts['secret-file'] !== undefined) {
    key = new Uint8Array(readFileOrDie(opts['secret-file'], 'secret file'));
  } else {
    const text = readFileOrDie(opts.key, 'key file').toString('utf8').trim();
    if (text.startsWith('{')) {
      const jwk = JSON.parse(text);
      // importJWK needs an alg for RSA/EC; take it from the token header if needed.
      const alg = jwk.alg ?? JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString('utf8')).alg;
      key = await importJWK(jwk, alg);
    } else {
      key = crypto.createPublicKey(text);
    }
  }

  const options = {};
  if (opts.alg) options.algorithms = opts.alg;
  if (opts.now !== undefined) options.currentDate = new Date(parseIntOpt('now', opts.now) * 1000);
  if (opts.iss !== undefined) options.issuer = opts.iss;
  if (opts.aud !== undefined) options.audience = opts.aud;
  if (opts.crit) options.crit = Object.fromEntries(opts.crit.map((c) => [c, true]));
  try {
    const { payload, protectedHeader } = await jwtVerify(token, key, options);
    process.stdout.write(JSON.stringify({ protectedHeader, payload }) + '\n');
  } catch (e) {
    throw new Error(`verification failed: ${e.code ?? e.name}: ${e.message}`);
  }
});
