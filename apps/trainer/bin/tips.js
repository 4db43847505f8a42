#!/usr/bin/env node
// The `tips` command. A committed file (not dist/) so that `npm ci` links the bin on a fresh clone,
// before anything is built; it runs the built CLI, or says how to build it.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = new URL('../dist/cli.js', import.meta.url);
if (!existsSync(fileURLToPath(cli))) {
  process.stderr.write('tips: the CLI is not built yet (apps/trainer/dist/cli.js is missing). Run `npm run build` at the repository root (or `npm run build -w @tips/cli`), then try again.\n');
  process.exit(1);
}
await import(cli.href);
