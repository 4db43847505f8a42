import * as tf from '@tensorflow/tfjs-core';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import { initBackend, ParamStore } from '@tips/runtime';
import { evaluate } from './evaluate';
import { trainProbe } from './heads/train-probe';
import { LinearClassifierHead } from './heads/linear-classifier';
import { featureSource } from './features/feature-source';
import { tinyScenes, tinyTowers } from './testing/tiny';
import { EvalInputError, EvalTaskError } from './errors';
import type { SentencePieceTokenizer, TextTransformer } from '@tips/text-encoder';
import type { VisionTransformer } from '@tips/vit-core';

const ROOT = resolve(__dirname, '..');
let towers: { vision: VisionTransformer; text: TextTransformer; tokenizer: SentencePieceTokenizer };
let data: { train: string; test: string };

beforeAll(async () => {
  await initBackend({ backend: process.env.TIPS_BACKEND ?? 'wasm' });
  towers = await tinyTowers(ROOT);
  data = await tinyScenes(mkdtempSync(join(tmpdir(), 'eval-scenes-')));
});
afterAll(() => {
  towers.vision.dispose();
  towers.text.dispose();
});

/**
 * Tensors that upstream code leaves behind today, measured so that this test stays exact when they
 * are fixed: ParamStore.init keeps each initial tensor next to its variable (one per parameter), and
 * train() does not free its AdamW moments (two variables and their zeros per parameter).
 */
function paramInitLeak(params: number): number {
  const before = tf.memory().numTensors;
  const store = ParamStore.init(Array.from({ length: params }, (_, i) => ({ name: `p${i}`, shape: [1] })), () => new Float32Array(1));
  store.dispose();
  return tf.memory().numTensors - before;
}

async function trainerLeakPerRun(): Promise<number> {
  const head = LinearClassifierHead.create({ embedDim: 2, numClasses: 2 });
  const set = { count: 2, dim: 2, grid: [1, 1] as [number, number], cls1: new Float32Array(4), cls2: new Float32Array(4), patches: new Float32Array(4) };
  const src = featureSource(set, { batchSize: 2, target: () => ({ labels: tf.tensor1d([0, 1], 'int32') }), releaseTarget: (t) => t.labels.dispose() });
  const before = tf.memory().numTensors;
  await trainProbe(head, src, mkdtempSync(join(tmpdir(), 'leak-')), { steps: 1 });
  const leak = tf.memory().numTensors - before;
  head.params.dispose();
  return leak;
}

describe('evaluate() on the built-in scenes with tiny towers', () => {
  it('runs every task, writes report.md, report.json and valid PNG figures, and frees its tensors', async () => {
    const out = mkdtempSync(join(tmpdir(), 'eval-report-'));
    const runDir = mkdtempSync(join(tmpdir(), 'eval-run-'));
    // A run's metrics.jsonl as @tips/trainer writes it (records + events).
    const lines = Array.from({ length: 20 }, (_, i) => JSON.stringify({ step: i + 1, loss: 3 / (i + 1), terms: { clip_web: 2 / (i + 1), clip_synthetic: 1 / (i + 1) } }));
    require('node:fs').writeFileSync(join(runDir, 'metrics.jsonl'), [...lines, JSON.stringify({ event: 'checkpoint', step: 20 })].join('\n') + '\n');
    const leak = await trainerLeakPerRun();
    const before = tf.memory().numTensors;
    const { report, results } = await evaluate({
      ...towers,
      data: data.test,
      trainData: data.train,
      imageSize: 56,
      outDir: out,
      runMetrics: runDir,
      probe: { steps: 12, lr: 0.01, batchSize: 8 },
      depth: { bins: 32 },
      figures: 3,
    });
    // Probes: seg, depth, linear → three heads of two parameters, three train() calls.
    expect(tf.memory().numTensors - before).toBe(3 * (leak + paramInitLeak(2)));
    expect(report.skipped).toEqual([]);
    expect(report.settings.tasks).toEqual(['seg', 'depth', 'knn', 'linear', 'zeroshot', 'retrieval', 'zsseg']);
    const h = report.headline;
    for (const k of ['segMiou', 'depthRmse', 'knnTop1', 'linearTop1', 'zeroshotTop1', 'i2tR1', 't2iR1', 'zssegMiou'] as const) {
      expect(Number.isFinite(h[k])).toBe(true);
    }
    for (const k of ['segMiou', 'knnTop1', 'linearTop1', 'zeroshotTop1', 'i2tR1', 't2iR1', 'zssegMiou'] as const) {
      expect(h[k]).toBeGreaterThanOrEqual(0);
      expect(h[k]).toBeLessThanOrEqual(1);
    }
    expect(h.depthRmse).toBeGreaterThan(0);
    expect(Object.keys(results.seg!.iou)[0]).toBe('background');
    expect(results.zsseg!.patchEmbeddings).toBe('values');
    expect(results.retrieval!.texts).toBe(8 * 4); // one web + three synthetic captions per scene
    expect(results.seg!.predictions).toHaveLength(3);
    expect(results.depth!.predictions[0]).toHaveLength(56 * 56);

    const md = readFileSync(join(out, 'report.md'), 'utf8');
    expect(md).toContain('# TIPS evaluation report');
    expect(md).toContain('| Run | Seg mIoU ↑ | Depth RMSE ↓');
    const json = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
    expect(json.headline.segMiou).toBeCloseTo(h.segMiou!, 10);
    expect(json.metrics.seg.predictions).toBeUndefined();
    const pngs = report.files.filter((f) => f.endsWith('.png'));
    expect(pngs.sort()).toEqual(['figures/depth.png', 'figures/iou.png', 'figures/loss-curves.png', 'figures/pca.png', 'figures/probe-curves.png', 'figures/segmentation.png']);
    for (const f of pngs) {
      expect(md).toContain(`](${f})`);
      const img = sharp(readFileSync(join(out, f)));
      const meta = await img.metadata();
      expect(meta.format).toBe('png');
      const stats = await img.stats();
      // Not blank: some channel varies.
      expect(Math.max(...stats.channels.map((c) => c.stdev))).toBeGreaterThan(5);
      if (f === 'figures/segmentation.png') {
        // 3 rows × 4 columns of 56×56 panels, 4-px gaps, a 24-px title row.
        expect(meta.width).toBe(4 * 56 + 5 * 4);
        expect(meta.height).toBe(24 + 3 * 56 + 4 * 4);
      }
    }
    expect(existsSync(join(out, 'probes', 'seg', 'head.safetensors'))).toBe(true);
  });

  it('skips what the data cannot support, and refuses explicitly requested impossible tasks', async () => {
    await expect(evaluate({ vision: towers.vision, data: data.test, imageSize: 56 })).rejects.toThrow(/no evaluation task can run/);
    await expect(evaluate({ vision: towers.vision, data: data.test, trainData: data.train, imageSize: 56, tasks: ['zeroshot'] })).rejects.toThrow(EvalTaskError);
    await expect(evaluate({ vision: towers.vision, data: data.test, imageSize: 50 })).rejects.toThrow(EvalInputError);
    await expect(evaluate({ vision: towers.vision, text: towers.text, data: data.test, imageSize: 56 })).rejects.toThrow(/together/);
    const before = tf.memory().numTensors;
    const { report } = await evaluate({ vision: towers.vision, data: data.test, trainData: data.train, imageSize: 56, tasks: ['knn'], figures: 0 });
    expect(tf.memory().numTensors).toBe(before);
    expect(report.settings.tasks).toEqual(['knn']);
    expect(report.headline.knnTop1).toBeGreaterThanOrEqual(0);
    expect(report.files).toEqual([]);
  });

  it('evaluates a random-init baseline of the same architecture and reports the comparison', async () => {
    const out = mkdtempSync(join(tmpdir(), 'eval-baseline-'));
    const { report } = await evaluate({ ...towers, data: data.test, trainData: data.train, imageSize: 56, tasks: ['knn', 'retrieval'], figures: 1, outDir: out, baseline: { seed: 9 } });
    expect(report.baseline!.name).toBe('random init (seed 9)');
    expect(Object.keys(report.baseline!.headline).sort()).toEqual(['i2tR1', 'knnTop1', 't2iR1']);
    const md = readFileSync(join(out, 'report.md'), 'utf8');
    expect(md).toContain('| random init (seed 9) |');
    expect(md).toMatch(/Against the random-init baseline: better on \d of 3 metrics/);
  });
});
