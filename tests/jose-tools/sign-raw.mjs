#!/usr/bin/env node
// sign-raw.mjs --alg ALG (--key FILE | --secret-file FILE) [--raw]
//
// Reads arbitrary bytes on stdin (normally "BASE64URL(header).BASE64URL(payload)")
// and prints the JWS signature over exactly those bytes, base64url without
// padding, newline-terminated.  ECDSA signatures are JOSE-form fixed-length
// r||s (IEEE P1363); PS* use PSS with salt length = digest length; EdDSA is
// pure Ed25519.  Uses node:crypto only.

import {
  runMain, parseArgs, UsageError, readStdin, readFileOrDie,
  loadPrivateKey, checkKeyForAlg, nodeSign, algInfo, b64u, ASYM_ALGS, HMAC_ALGS,
} from './lib.mjs';

const PROG = 'sign-raw.mjs';
const USAGE = `usage: node sign-raw.mjs --alg ALG (--key FILE | --secret-file FILE) [--raw] < SIGNING-INPUT
  --alg ALG           ${[...ASYM_ALGS, ...HMAC_ALGS].join(' ')}
  --key FILE          private key, .priv.jwk or .priv.pem
  --secret-file FILE  HMAC secret (file bytes as is) for HS*
  --raw               write the raw signature bytes instead of base64url + newline
  Note: the shell's $(...) strips trailing newlines; feed input with printf '%s', not echo.
`;

runMain(PROG, USAGE, async () => {
  const { opts, positional } = parseArgs(process.argv.slice(2), {
    alg: 'string', key: 'string', 'secret-file': 'string', raw: 'bool', help: 'bool',
  });
  if (opts.help) {
    process.stdout.write(USAGE);
    return;
  }
  if (positional.length) throw new UsageError(`unexpected argument ${JSON.stringify(positional[0])}`);
  if (!opts.alg) throw new UsageError('--alg is required');
  if (opts.alg === 'none') throw new UsageError('alg none has no signature (it is the empty string)');
  const info = algInfo(opts.alg);
  let key;
  if (info.family === 'HMAC') {
    if (opts['secret-file'] === undefined || opts.key !== undefined) throw new UsageError(`${opts.alg} needs --secret-file FILE (and no --key)`);
    key = readFileOrDie(opts['secret-file'], 'secret file');
  } else {
    if (opts.key === undefined || opts['secret-file'] !== undefined) throw new UsageError(`${opts.alg} needs --key FILE (and no --secret-file)`);
    key = loadPrivateKey(opts.key);
    checkKeyForAlg(key, opts.alg);
  }
  const data = await readStdin();
  const sig = nodeSign(opts.alg, key, data);
  if (opts.raw) process.stdout.write(sig);
  else process.stdout.write(b64u(sig) + '\n');
});
