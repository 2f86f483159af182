#!/usr/bin/env node
// b64url.mjs [-d]
// Encodes stdin as base64url without padding (no trailing newline is added
// to the input; the output ends with one newline).  With -d decodes stdin
// (whitespace ignored) and writes the raw bytes.  For hand-built tokens.

import { readStdin, runMain, parseArgs, UsageError } from './lib.mjs';

const USAGE = `usage: node b64url.mjs [-d] < INPUT
  encode stdin bytes as base64url (no padding), or decode with -d
`;

runMain('b64url.mjs', USAGE, async () => {
  const args = process.argv.slice(2);
  const decode = args[0] === '-d' || args[0] === '--decode';
  const rest = decode ? args.slice(1) : args;
  const { opts, positional } = parseArgs(rest, { help: 'bool' });
  if (opts.help) {
    process.stdout.write(USAGE);
    return;
  }
  if (positional.length) throw new UsageError(`unexpected argument ${JSON.stringify(positional[0])}`);
  const data = await readStdin();
  if (decode) {
    const text = data.toString('ascii').replace(/\s+/g, '');
    if (!/^[A-Za-z0-9_-]*$/.test(text)) throw new Error('input is not base64url');
    process.stdout.write(Buffer.from(text, 'base64url'));
  } else {
    process.stdout.write(data.toString('base64url') + '\n');
  }
});
