#!/usr/bin/env node
// Sums the jest --json results of every workspace (packages/*, apps/*, examples/*) and prints
// one line: "N passed, N failed". A workspace whose results file is missing counts as one failure.
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
let passed = 0;
let failed = 0;
const missing = [];
for (const group of ['packages', 'apps', 'examples']) {
  const dir = join(root, group);
  if (!existsSync(dir)) continue;
  for (const name of readdirSync(dir)) {
    const pkgPath = join(dir, name, 'package.json');
    if (!existsSync(pkgPath)) continue;
    const pkg = JSON.parse(readFileSync(pkgPath, 'utf8'));
    if (!pkg.scripts?.test) continue;
    const results = join(dir, name, 'jest-results.json');
    if (!existsSync(results)) {
      missing.push(`${group}/${name}`);
      failed += 1;
      continue;
    }
    const r = JSON.parse(readFileSync(results, 'utf8'));
    passed += r.numPassedTests ?? 0;
    failed += (r.numFailedTests ?? 0) + (r.numRuntimeErrorTestSuites ?? 0);
  }
}
if (missing.length) console.error(`no jest results for: ${missing.join(', ')}`);
console.log(`${passed} passed, ${failed} failed`);
