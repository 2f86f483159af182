#!/usr/bin/env node
// jwks.mjs FILE.pub.jwk [...] [--compact]
// Prints {"keys":[...]} built from the given public JWK files, in order.
// Refuses JWKs that carry private key material (d, p, q, dp, dq, qi, oth, k).

import { readFileSync } from 'node:fs';
import { runMain, parseArgs, UsageError } from './lib.mjs';

const PROG = 'jwks.mjs';
const USAGE = `usage: node jwks.mjs [--compact] [--allow-private] FILE.pub.jwk [FILE.pub.jwk ...]
  prints a JWKS {"keys":[...]} (pretty-printed unless --compact); zero files gives {"keys":[]}
  --allow-private  do not refuse JWKs with private members (for negative tests only)
`;
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

runMain(PROG, USAGE, async () => {
  const { opts, positional } = parseArgs(process.argv.slice(2), {
    compact: 'bool', 'allow-private': 'bool', help: 'bool',
  });
  if (opts.help) {
    process.stdout.write(USAGE);
    return;
  }
  const keys = positional.map((f) => {
    let jwk;
    try {
      jwk = JSON.parse(readFileSync(f, 'utf8'));
    } catch (e) {
      throw new Error(`cannot read JWK ${f}: ${e.code || e.message}`);
    }
    if (jwk === null || typeof jwk !== 'object' || Array.isArray(jwk) || typeof jwk.kty !== 'string') {
      throw new Error(`${f}: not a JWK (JSON object with "kty")`);
    }
    const priv = PRIVATE_MEMBERS.filter((m) => jwk[m] !== undefined);
    if (priv.length && !opts['allow-private']) {
      throw new UsageError(`${f}: contains private key material (${priv.join(', ')}); pass the .pub.jwk file`);
    }
    return jwk;
  });
  const jwks = { keys };
  process.stdout.write((opts.compact ? JSON.stringify(jwks) : JSON.stringify(jwks, null, 2)) + '\n');
});
