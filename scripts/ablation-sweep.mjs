#!/usr/bin/env node
// Re-evaluates checkpoints of `npm run ablation` at other eval sizes and probe seeds, to see how much
// of the table is probe noise and whether a larger eval resolution changes the picture.
// Results: runs/ablation/sweep.json (keyed row@size#seed; existing keys are not re-run).
//
//   node scripts/ablation-sweep.mjs '[["random",168,0],["full",168,0],["random",84,1]]'
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { initBackend } from '@tips/runtime';
import { resolveTipsConfig, resolveTipsData } from '@tips/trainer';
import { evaluateCheckpoint } from '@tips/eval';

const jobs = JSON.parse(process.argv[2] ?? '[]');
if (!Array.isArray(jobs) || jobs.length === 0) {
  process.stderr.write('usage: node scripts/ablation-sweep.mjs \'[["<row>", <eval size>, <probe seed>], ...]\'\n');
  process.exit(2);
}
await initBackend();
// The same built-in scenes (and eval protocol) as scripts/ablation.mjs.
const data = await resolveTipsData(resolveTipsConfig({ preset: 'tiny' }));
const outPath = 'runs/ablation/sweep.json';
const results = existsSync(outPath) ? JSON.parse(readFileSync(outPath, 'utf8')) : {};
for (const [row, size, seed] of jobs) {
  const key = `${row}@${size}#${seed}`;
  if (results[key]) continue;
  const t0 = Date.now();
  const r = await evaluateCheckpoint({
    checkpoint: `runs/ablation/${row}/final`,
    data: data.eval,
    trainData: data.train,
    outDir: `runs/ablation/sweep/${row}-${size}-${seed}`,
    imageSize: size,
    maxImages: { train: 500 },
    probe: { seed },
    baseline: false,
    progress: false,
  });
  results[key] = { ...r.report.headline, seconds: (Date.now() - t0) / 1000 };
  writeFileSync(outPath, JSON.stringify(results, null, 2));
  process.stdout.write(`${key} ${JSON.stringify(results[key])}\n`);
}
