import { join } from 'node:path';
import { evaluateCheckpoint, headlineTable, HEADLINE_COLUMNS } from '@tips/eval';
import { towerInitOf, type TipsConfig, type TrainTipsResult } from '@tips/trainer';

/**
 * What `tips train` does after the last step: evaluate the exported towers on the held-out split
 * (frozen features: probes, kNN, zero-shot, retrieval, zero-shot segmentation) next to a random-init
 * baseline initialised exactly as the run initialises its towers (same architecture, seeds and init
 * options: its step-0 weights when it starts from scratch), and write the report (markdown, JSON,
 * figures) to <out>/report.
 */
export async function runAfterTraining(config: TipsConfig, result: TrainTipsResult): Promise<void> {
  if (!result.exported) return;
  const outDir = join(result.outDir, 'report');
  const { report } = await evaluateCheckpoint({
    checkpoint: result.exported.dir,
    data: result.data.eval ?? undefined,
    trainData: result.data.eval ? result.data.train : undefined,
    imageSize: config.data.globalSize,
    maxImages: { train: 500 },
    outDir,
    runMetrics: join(result.outDir, 'metrics.jsonl'),
    baseline: { ...towerInitOf(config), name: 'random init (the run\'s own initialisation)' },
    progress: true,
  });
  const rows = [{ name: 'trained', metrics: report.headline }];
  if (report.baseline) rows.push({ name: report.baseline.name, metrics: report.baseline.headline });
  process.stdout.write(`\n${headlineTable(rows)}\n\n`);
  if (report.baseline) {
    const b = report.baseline.headline;
    const cols = HEADLINE_COLUMNS.filter((c) => report.headline[c.key] !== undefined && b[c.key] !== undefined);
    const wins = cols.filter((c) => (c.better === 'higher' ? report.headline[c.key]! > b[c.key]! : report.headline[c.key]! < b[c.key]!));
    process.stdout.write(`beats the random-init baseline on ${wins.length} of ${cols.length} metrics\n`);
  }
  process.stdout.write(`report: ${join(outDir, 'report.md')}\n`);
}
