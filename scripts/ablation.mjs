#!/usr/bin/env node
// The TIPS ablation (paper Table 1) at `tiny` scale on the built-in spatial scenes: each row is one
// config of the same objective with terms switched on or off, trained with the same steps, data and
// seeds, then evaluated with the same frozen-feature protocol. Writes docs/ablation.md and
// runs/ablation/results.json. Long (one training + evaluation per row): a script, not a test.
//
//   npm run ablation                      # all rows, preset tiny
//   npm run ablation -- --steps 100 --rows web,full --out runs/ablation-quick
import { mkdirSync, writeFileSync, readFileSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { cpus, totalmem } from 'node:os';
import { initBackend, describeBackend } from '@tips/runtime';
import { resolveTipsConfig, trainTips, TipsModel, exportTips, resolveTokenizerPath, resolveTipsData } from '@tips/trainer';
import { SentencePieceTokenizer } from '@tips/text-encoder';
import { evaluateCheckpoint, headlineTable } from '@tips/eval';

const off = { enabled: false, weight: 1 };
const on = { enabled: true, weight: 1 };
const noDistill = { distill: { enabled: false }, mim: { enabled: false } };

/** Rows of the paper's Table 1 (and TIPSv2's upgrades), as config patches of the `objective`. */
const ROWS = [
  { key: 'web', name: 'CLIP on web captions (baseline)', objective: { web: on, synthetic: off, dualCls: false, ...noDistill } },
  { key: 'synthetic', name: 'CLIP on synthetic captions', objective: { web: off, synthetic: on, dualCls: false, ...noDistill } },
  { key: 'both-single', name: 'web + synthetic, one CLS', objective: { web: on, synthetic: on, dualCls: false, ...noDistill } },
  { key: 'dual', name: 'web + synthetic, dual CLS', objective: { web: on, synthetic: on, dualCls: true, ...noDistill } },
  { key: 'distill', name: 'dual CLS + self-distillation', objective: { web: on, synthetic: on, dualCls: true, distill: { enabled: true }, mim: { enabled: false } } },
  { key: 'full', name: 'dual CLS + distillation + MIM (TIPS)', objective: { web: on, synthetic: on, dualCls: true, distill: { enabled: true }, mim: { enabled: true } } },
  { key: 'ibotpp', name: 'TIPS + iBOT++', objective: { web: on, synthetic: on, dualCls: true, distill: { enabled: true }, mim: { enabled: true, visibleWeight: 1 } } },
  { key: 'head-ema', name: 'TIPS + head-only EMA', objective: { web: on, synthetic: on, dualCls: true, distill: { enabled: true }, mim: { enabled: true } }, teacher: { headOnly: true } },
  { key: 'v2', name: 'TIPS + iBOT++ + head-only EMA (TIPSv2)', objective: { web: on, synthetic: on, dualCls: true, distill: { enabled: true }, mim: { enabled: true, visibleWeight: 1 } }, teacher: { headOnly: true } },
];

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
}

const out = resolve(arg('out', 'runs/ablation'));
const steps = arg('steps');
const wanted = arg('rows') ? arg('rows').split(',') : ROWS.map((r) => r.key);
const preset = arg('preset', 'tiny');
const rows = ROWS.filter((r) => wanted.includes(r.key));
mkdirSync(out, { recursive: true });

const info = await initBackend();
const started = Date.now();
const resultsPath = join(out, 'results.json');
const results = existsSync(resultsPath) ? JSON.parse(readFileSync(resultsPath, 'utf8')) : {};
const commonEval = (config) => ({ imageSize: config.data.globalSize, maxImages: { train: 500 }, progress: true });

function writeDoc() {
  const ordered = [...ROWS.map((r) => r.key), 'random'].filter((k) => results[k]);
  const table = headlineTable(ordered.map((k) => ({ name: results[k].name, metrics: results[k].metrics })));
  const minutes = ((Date.now() - started) / 60000).toFixed(1);
  const stepsUsed = Object.values(results).find((r) => r.steps)?.steps;
  const totalMinutes = (ordered.reduce((a, k) => a + (results[k].seconds ?? 0), 0) / 60).toFixed(1);
  const times = ordered.filter((k) => results[k].seconds).map((k) => `${results[k].name}: ${(results[k].seconds / 60).toFixed(1)} min`).join('; ');
  const doc = `# The TIPS ablation at tiny scale

Command: \`npm run ablation\` (rows already in \`${resultsPath.replace(process.cwd() + '/', '')}\` are kept, so rows can be added later with \`-- --rows a,b\`; this invocation: \`npm run ablation${process.argv.slice(2).length ? ` -- ${process.argv.slice(2).join(' ')}` : ''}\`)
Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB; ${describeBackend(info)}; Node ${process.version}.
Data: the built-in spatial scenes (preset \`${preset}\`: ${stepsUsed} steps per row, same seeds and data order for every row).
Training + evaluation per row: ${times || 'n/a'}; ${totalMinutes} min in all (this invocation: ${minutes} min).

${table}

Metrics: frozen features; linear probes for segmentation (mIoU) and depth (256 bins → RMSE),
kNN and linear classification of the scene label, zero-shot classification from class-name prompts,
image↔text retrieval R@1 over the eval split's captions, zero-shot segmentation from patch–text cosine.
  `;
  mkdirSync('docs', { recursive: true });
  const docPath = resolve('docs/ablation.md');
  const previous = existsSync(docPath) ? readFileSync(docPath, 'utf8') : '';
  const analysis = previous.includes('## Reading') ? previous.slice(previous.indexOf('## Reading')) : '## Reading\n\n(to be written after a run)\n';
  writeFileSync(docPath, `${doc}\n${analysis}`);
  return { table, docPath };
}

// The random-init reference row: the same architecture, exported untrained, evaluated the same way.
if (!results.random) {
  const config = resolveTipsConfig({ preset, overrides: steps ? [`optim.steps=${steps}`] : [], patch: { run: { out: join(out, 'random') } } });
  const tokenizerPath = resolveTokenizerPath(config);
  const tokenizer = await SentencePieceTokenizer.load(tokenizerPath);
  const model = await TipsModel.create(config, tokenizer.vocabSize);
  const exported = await exportTips(model, join(out, 'random', 'final'), tokenizerPath);
  model.dispose();
  const data = await resolveTipsData(config);
  const evalResult = await evaluateCheckpoint({ checkpoint: exported.dir, data: data.eval, trainData: data.train, outDir: join(out, 'random', 'report'), ...commonEval(config) });
  results.random = { name: 'random init (no training)', metrics: evalResult.report.headline, seconds: 0 };
  writeFileSync(resultsPath, JSON.stringify(results, null, 2));
  writeDoc();
}

for (const row of rows) {
  if (results[row.key]?.metrics) {
    process.stderr.write(`ablation: ${row.key} already done (${resultsPath}); skipping\n`);
    continue;
  }
  const config = resolveTipsConfig({
    preset,
    overrides: steps ? [`optim.steps=${steps}`] : [],
    patch: { objective: row.objective, teacher: row.teacher ?? {}, run: { out: join(out, row.key) } },
  });
  process.stderr.write(`\nablation: ${row.name}\n`);
  const t0 = Date.now();
  const trained = await trainTips(config, { resume: true, progress: process.stderr.isTTY });
  const evalResult = await evaluateCheckpoint({
    checkpoint: trained.exported.dir,
    data: trained.data.eval,
    trainData: trained.data.train,
    outDir: join(out, row.key, 'report'),
    runMetrics: join(out, row.key, 'metrics.jsonl'),
    baseline: false,
    ...commonEval(config),
  });
  results[row.key] = { name: row.name, metrics: evalResult.report.headline, seconds: (Date.now() - t0) / 1000, steps: config.optim.steps };
  writeFileSync(resultsPath, JSON.stringify(results, null, 2));
  writeDoc();
}




const { table, docPath } = writeDoc();
process.stdout.write(`${table}\n\nwrote ${docPath}\n`);
