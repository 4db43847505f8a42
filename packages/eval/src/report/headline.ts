import type { TaskResults } from '../tasks/types';
import type { HeadlineMetrics } from './types';

/** The Table-1 numbers of a run: seg mIoU, depth RMSE, kNN/linear/zero-shot top-1, R@1 both ways, zs-seg mIoU. */
export function headlineMetrics(m: TaskResults): HeadlineMetrics {
  const h: HeadlineMetrics = {};
  if (m.seg) h.segMiou = m.seg.miou;
  if (m.depth) h.depthRmse = m.depth.rmse;
  if (m.knn) h.knnTop1 = m.knn.top1;
  if (m.linear) h.linearTop1 = m.linear.top1;
  if (m.zeroshot) h.zeroshotTop1 = m.zeroshot.top1;
  if (m.retrieval) {
    h.i2tR1 = m.retrieval.imageToText[1];
    h.t2iR1 = m.retrieval.textToImage[1];
  }
  if (m.zsseg) h.zssegMiou = m.zsseg.miou;
  return h;
}

/** Column titles of the headline metrics, with the direction that is better. */
export const HEADLINE_COLUMNS: readonly { key: keyof HeadlineMetrics; title: string; better: 'higher' | 'lower'; percent: boolean }[] = [
  { key: 'segMiou', title: 'Seg mIoU ↑', better: 'higher', percent: true },
  { key: 'depthRmse', title: 'Depth RMSE ↓', better: 'lower', percent: false },
  { key: 'i2tR1', title: 'I→T R@1 ↑', better: 'higher', percent: true },
  { key: 't2iR1', title: 'T→I R@1 ↑', better: 'higher', percent: true },
  { key: 'zeroshotTop1', title: 'Zero-shot top-1 ↑', better: 'higher', percent: true },
  { key: 'knnTop1', title: 'kNN top-1 ↑', better: 'higher', percent: true },
  { key: 'linearTop1', title: 'Linear top-1 ↑', better: 'higher', percent: true },
  { key: 'zssegMiou', title: 'ZS-seg mIoU ↑', better: 'higher', percent: true },
];

export function formatMetric(value: number | undefined, percent: boolean): string {
  if (value === undefined) return '–';
  if (!Number.isFinite(value)) return 'n/a';
  return percent ? (100 * value).toFixed(1) : value.toFixed(3);
}

/**
 * Which headline metrics of `model` are better than the baseline's (per the metric's direction), and
 * which are not; metrics missing in either are left out.
 */
export function compareHeadline(model: HeadlineMetrics, baseline: HeadlineMetrics): { better: (keyof HeadlineMetrics)[]; notBetter: (keyof HeadlineMetrics)[] } {
  const better: (keyof HeadlineMetrics)[] = [];
  const notBetter: (keyof HeadlineMetrics)[] = [];
  for (const c of HEADLINE_COLUMNS) {
    const a = model[c.key];
    const b = baseline[c.key];
    if (a === undefined || b === undefined || !Number.isFinite(a) || !Number.isFinite(b)) continue;
    (c.better === 'higher' ? a > b : a < b) ? better.push(c.key) : notBetter.push(c.key);
  }
  return { better, notBetter };
}

/**
 * A markdown table with one row per run (e.g. the ablation rows), columns = headline metrics that
 * at least one row has.
 */
export function headlineTable(rows: readonly { name: string; metrics: HeadlineMetrics }[]): string {
  const cols = HEADLINE_COLUMNS.filter((c) => rows.some((r) => r.metrics[c.key] !== undefined));
  const head = `| Run | ${cols.map((c) => c.title).join(' | ')} |`;
  const sep = `|---|${cols.map(() => '---:').join('|')}|`;
  const body = rows.map((r) => `| ${r.name} | ${cols.map((c) => formatMetric(r.metrics[c.key], c.percent)).join(' | ')} |`);
  return [head, sep, ...body].join('\n');
}
