import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '@tips/runtime';
import { curvesSpec, barsSpec, thin, type CurvePoint } from './charts';
import { colouriseClasses, colouriseDepth } from './colours';
import { renderMarkdown } from './markdown';
import { enlargeNearest, panelGrid, type Panel } from './panels';
import { readRunCurves } from './run-log';
import type { EvalReport, FigureData } from './types';
import { renderVegaLite } from './vega-render';
import type { TaskResults } from '../tasks/types';

export interface WriteReportOptions {
  /** A training run's metrics.jsonl (or its folder) for the loss-curve figure. */
  runMetrics?: string;
}

function withoutPredictions(m: TaskResults): TaskResults {
  const out: TaskResults = JSON.parse(JSON.stringify({ ...m, seg: m.seg && { ...m.seg, predictions: undefined }, depth: m.depth && { ...m.depth, predictions: undefined }, zsseg: m.zsseg && { ...m.zsseg, predictions: undefined } }));
  for (const k of ['seg', 'depth', 'linear'] as const) {
    const p = (out[k] as { probe?: { losses: number[] } } | undefined)?.probe;
    if (p) p.losses = thin(p.losses, 200);
  }
  return out;
}

function imagePanel(rgb: Uint8Array, [H, W]: [number, number]): Panel {
  return { rgb, width: W, height: H };
}

/**
 * Writes the evaluation report into `dir`: report.json (numbers), report.md (tables and figures) and
 * figures/*.png — training loss curves from the run's metrics.jsonl, the probes' loss curves,
 * per-class IoU bars, the PCA of patch features next to each image (TIPS figure 4), and probe
 * predictions against ground truth for segmentation and depth. Every file is written atomically.
 * Returns the report with `files` filled in.
 */
export async function writeReport(dir: string, report: EvalReport, results: TaskResults, figures: FigureData | null, options: WriteReportOptions = {}): Promise<EvalReport> {
  await mkdir(join(dir, 'figures'), { recursive: true });
  const made: { file: string; caption: string }[] = [];
  const save = async (file: string, png: Buffer, caption: string) => {
    await writeFileAtomic(join(dir, file), png);
    made.push({ file, caption });
  };

  if (options.runMetrics) {
    const path = options.runMetrics.endsWith('.jsonl') ? options.runMetrics : join(options.runMetrics, 'metrics.jsonl');
    const points = await readRunCurves(path);
    if (points.length) {
      const series = [...new Set(points.map((p) => p.series))];
      const thinned = series.flatMap((s) => thin(points.filter((p) => p.series === s), 400));
      await save('figures/loss-curves.png', (await renderVegaLite(curvesSpec(thinned, 'Training losses'))).png, 'Training loss and its terms per step (from the run\'s metrics.jsonl).');
    }
  }
  const probeCurves: CurvePoint[] = [];
  for (const [name, r] of [['seg', results.seg], ['depth', results.depth], ['linear', results.linear]] as const) {
    if (!r) continue;
    thin(r.probe.losses.map((v, i) => ({ step: i + 1, series: `${name} probe`, value: v })), 300).forEach((p) => probeCurves.push(p));
  }
  if (probeCurves.length) {
    await save('figures/probe-curves.png', (await renderVegaLite(curvesSpec(probeCurves, 'Probe training losses'))).png, 'Training loss of each probe on the frozen features.');
  }
  const bars: { item: string; group: string; value: number }[] = [];
  for (const [group, r] of [['linear probe', results.seg], ['zero-shot', results.zsseg]] as const) {
    if (!r) continue;
    for (const [item, v] of Object.entries(r.iou)) if (v !== null) bars.push({ item, group, value: v });
  }
  if (bars.length) await save('figures/iou.png', (await renderVegaLite(barsSpec(bars, 'Per-class IoU', 'IoU'))).png, 'Per-class IoU on the test split.');

  if (figures && figures.images.length) {
    const { size, grid } = figures;
    const rgbOf = (i: number) => imagePanel(figures.images[i]!, size);
    const pcaRows = figures.images.map((_, i) => [rgbOf(i), enlargeNearest(figures.pca[i]!, grid[1], grid[0], size[1], size[0])]);
    await save('figures/pca.png', await panelGrid(pcaRows, ['image', 'PCA of patch features']), 'First three principal components of the patch features as RGB, next to each image (as TIPS figure 4).');
    const segPred = results.seg?.predictions;
    const zsPred = results.zsseg?.predictions;
    if (figures.masks && (segPred || zsPred)) {
      const titles = ['image', 'ground truth', ...(segPred ? ['linear probe'] : []), ...(zsPred ? ['zero-shot'] : [])];
      const rows = figures.images.map((_, i) => [
        rgbOf(i),
        imagePanel(colouriseClasses(figures.masks![i]!), size),
        ...(segPred ? [imagePanel(colouriseClasses(segPred[i]!), size)] : []),
        ...(zsPred ? [imagePanel(colouriseClasses(zsPred[i]!), size)] : []),
      ]);
      await save('figures/segmentation.png', await panelGrid(rows, titles), 'Segmentation: ground truth and predictions (same colour = same class).');
    }
    const depthPred = results.depth?.predictions;
    if (figures.depth && depthPred) {
      const rows = figures.images.map((_, i) => {
        const gt = figures.depth![i]!;
        let lo = Infinity;
        let hi = 0;
        for (const v of gt) if (v > 0) {
          lo = Math.min(lo, v);
          hi = Math.max(hi, v);
        }
        return [rgbOf(i), imagePanel(colouriseDepth(gt, lo, hi), size), imagePanel(colouriseDepth(depthPred[i]!, lo, hi), size)];
      });
      await save('figures/depth.png', await panelGrid(rows, ['image', 'ground truth', 'linear probe']), 'Depth: ground truth and probe prediction on the same colour scale (bright = near).');
    }
  }
  const final: EvalReport = { ...report, metrics: withoutPredictions(results), files: ['report.md', 'report.json', ...made.map((f) => f.file)] };
  await writeFileAtomic(join(dir, 'report.json'), JSON.stringify(final, null, 2) + '\n');
  await writeFileAtomic(join(dir, 'report.md'), renderMarkdown(final, made));
  return final;
}
