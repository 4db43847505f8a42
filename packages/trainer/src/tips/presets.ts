import type { TipsConfig, TipsConfigPatch } from './config';

/**
 * The full TIPS recipe at `tiny` scale: every term on (web + synthetic CLIP on two CLS tokens,
 * α·DINO distillation, β·iBOT MIM), EMA teacher. Sizes are chosen so that a run fits this project's
 * reference machine (2 CPU cores, wasm) in minutes; the S/B/g presets follow the paper's recipe.
 * Recipe sources: TIPS (Maninis et al., ICLR 2025) §3 — 1 global crop + M=6 local crops, random
 * masking, teacher EMA; DINOv2 (Oquab et al., 2023) and its configs (ssl_default_config.yaml) for
 * temperatures 0.1 / 0.04→0.07, centre momentum 0.9, mask ratio [0.1, 0.5] with probability 0.5,
 * teacher momentum 0.992/0.994 → 1, weight decay 0.04 → 0.2, LayerScale 1e-5, clip 3.0, AdamW
 * β2 0.999; CLIP/open_clip for the logit scale (init 1/0.07, clamp 100).
 */
export const TINY: TipsConfig = {
  model: {
    vision: { embedDim: 96, depth: 4, heads: 3, mlpHidden: 384, ffn: 'mlp', posGrid: 6, layerScaleInit: 1, dropPathRate: 0, initPixelMean: 0.5 },
    text: { hiddenSize: 96, mlpDim: 384, numHeads: 3, numLayers: 2, maxLen: 32 },
    checkpointBlocks: false,
  },
  objective: {
    web: { enabled: true, weight: 1 },
    synthetic: { enabled: true, weight: 1 },
    dualCls: true,
    contrastive: 'softmax',
    logitScaleInit: 1 / 0.07,
    logitScaleMax: 100,
    labelSmoothing: 0,
    distill: {
      enabled: true,
      weight: 1,
      token: 'cls1',
      head: { prototypes: 256, hiddenDim: 256, bottleneckDim: 64 },
      studentTemp: 0.1,
      teacherTemp: { start: 0.04, end: 0.07, warmupSteps: 60 },
      centring: 'softmax',
      centreMomentum: 0.9,
    },
    mim: {
      enabled: true,
      weight: 1,
      visibleWeight: 0,
      sharedHead: false,
      head: { prototypes: 256, hiddenDim: 256, bottleneckDim: 64 },
      maskRatio: [0.1, 0.5],
      maskProbability: 0.5,
    },
  },
  teacher: { momentum: { start: 0.99, end: 1 }, headOnly: false },
  data: {
    builtin: { count: 2000, evalCount: 300, seed: 0, size: 112, cache: '.cache/tips/scenes' },
    globalSize: 84,
    localSize: 42,
    localCount: 4,
    globalScale: [0.32, 1],
    localScale: [0.05, 0.32],
    batchSize: 32,
    workers: 1,
  },
  optim: {
    steps: 300,
    lr: { peak: 1e-3, end: 1e-5, warmup: 30 },
    weightDecay: { start: 0.04, end: 0.2 },
    clipGrad: 3,
    accumulate: 1,
    beta1: 0.9,
    beta2: 0.999,
    freeze: [],
  },
  run: { seed: 0, out: 'runs/tiny', checkpointEvery: 50, keepLast: 2, logEvery: 10 },
};

/** Paper-scale presets: ViT-S/B/g at 224 (1 global + 6 local 98-px crops). For GPUs (tfjs-node-gpu). */
const paper = (vision: 'S' | 'B' | 'g', batchSize: number, lr: number): TipsConfigPatch => ({
  model: {
    vision: { preset: vision, embedDim: undefined, depth: undefined, heads: undefined, mlpHidden: undefined, ffn: undefined, posGrid: 16, layerScaleInit: 1e-5, dropPathRate: vision === 'g' ? 0.4 : 0.1 },
    text: { preset: vision, hiddenSize: undefined, mlpDim: undefined, numHeads: undefined, numLayers: undefined, maxLen: 64 },
    // Without it the step does not fit a 4 GB wasm heap even at one image (docs/performance.md).
    checkpointBlocks: true,
  },
  objective: {
    distill: { head: { prototypes: 65536, hiddenDim: 2048, bottleneckDim: 256 }, teacherTemp: { start: 0.04, end: 0.07, warmupSteps: 30000 } },
    mim: { head: { prototypes: 65536, hiddenDim: 2048, bottleneckDim: 256 } },
  },
  teacher: { momentum: { start: 0.994, end: 1 } },
  data: { builtin: { size: 224 }, globalSize: 224, localSize: 98, localCount: 6, batchSize, workers: 4 },
  optim: { steps: 100000, lr: { peak: lr, end: 1e-6, warmup: 10000 } },
  run: { out: `runs/${vision}`, checkpointEvery: 1000 },
});

export const PRESETS: Record<string, TipsConfigPatch | TipsConfig> = {
  tiny: TINY,
  S: paper('S', 256, 1e-3),
  B: paper('B', 256, 5e-4),
  g: paper('g', 256, 2e-4),
};
