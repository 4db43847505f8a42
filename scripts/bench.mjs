#!/usr/bin/env node
// `npm run bench [-- filter]`: runs the `bench` script of every workspace (packages/*, apps/*,
// examples/*) that has one, passing the filter word through (`npm run bench -- train` runs only the
// benches whose name matches 'train'), saves each package's JSON output to
// bench-results/<package>.json (temp file, then rename) and prints a summary.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const filter = process.argv.slice(2).find((a) => !a.startsWith('-')) ?? '';
const only = process.argv.find((a) => a.startsWith('--package='))?.slice('--package='.length);
const outDir = join(root, 'bench-results');

function workspaces() {
  const out = [];
  for (const group of ['packages', 'apps', 'examples']) {
    const dir = join(root, group);
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir).sort()) {
      const pkgPath = join(dir, name, 'package.json');
      if (!existsSync(pkgPath)) continue;
      const pkg = JSON.parse(readFileSync(pkgPath, 'utf8'));
      if (pkg.scripts?.bench) out.push({ dir: join(dir, name), name: pkg.name ?? name });
    }
  }
  return out;
}

/** The JSON object a bench printed: the whole stdout, or the last top-level object in it. */
function parseOutput(stdout) {
  const text = stdout.trim();
  try {
    return JSON.parse(text);
  } catch {
    const start = text.lastIndexOf('\n{');
    if (start >= 0) return JSON.parse(text.slice(start + 1));
    throw new Error('no JSON object on stdout');
  }
}

/** Lines for the summary: every `ratios` / `summary` object found in the result, else a few numbers. */
function summarise(result) {
  const lines = [];
  const walk = (v, path) => {
    if (!v || typeof v !== 'object' || lines.length > 40) return;
    for (const [k, x] of Object.entries(v)) {
      const p = path ? `${path}.${k}` : k;
      if ((k === 'ratios' || k === 'summary') && x && typeof x === 'object') lines.push(`${p}: ${JSON.stringify(x)}`);
      else walk(x, p);
    }
  };
  walk(result?.benches ?? result, '');
  if (!lines.length) {
    const nums = [];
    const leaves = (v, path) => {
      if (typeof v === 'number' && nums.length < 12) nums.push(`${path}=${v}`);
      else if (v && typeof v === 'object' && !Array.isArray(v)) for (const [k, x] of Object.entries(v)) leaves(x, path ? `${path}.${k}` : k);
    };
    leaves(result, '');
    if (nums.length) lines.push(nums.join('  '));
  }
  return lines;
}

mkdirSync(outDir, { recursive: true });
const summary = [];
let failed = 0;
for (const ws of workspaces()) {
  if (only && ws.name !== only) continue;
  const file = ws.name.replace(/^@/, '').replace(/\//g, '-');
  process.stderr.write(`\n=== ${ws.name}: npm run bench${filter ? ` -- ${filter}` : ''}\n`);
  const t0 = Date.now();
  const r = spawnSync('npm', ['run', '--silent', 'bench', '--', ...(filter ? [filter] : [])], {
    cwd: ws.dir,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 256 * 1024 * 1024,
  });
  const secs = ((Date.now() - t0) / 1000).toFixed(0);
  if (r.status !== 0) {
    failed++;
    summary.push(`${ws.name}: FAILED (exit ${r.status}) after ${secs} s`);
    continue;
  }
  let result;
  try {
    result = parseOutput(r.stdout);
  } catch (e) {
    failed++;
    summary.push(`${ws.name}: FAILED (${e.message}) after ${secs} s`);
    continue;
  }
  const path = join(outDir, `${file}.json`);
  writeFileSync(`${path}.tmp`, `${JSON.stringify(result, null, 2)}\n`);
  renameSync(`${path}.tmp`, path);
  summary.push(`${ws.name}: ${secs} s → bench-results/${file}.json`, ...summarise(result).map((l) => `  ${l}`));
}
process.stdout.write(`\nbench summary${filter ? ` (filter '${filter}')` : ''}\n${summary.join('\n') || 'no workspace has a bench script'}\n`);
process.exit(failed ? 1 : 0);
