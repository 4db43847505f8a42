// Shared setup of the TIPS-step benchmark: the two sizes (the `tiny` preset and S/14@224), a fixed
// seeded batch in @tips/data's TipsBatch layout, and the npz from which the PyTorch reference
// (tips_step.py) starts: the same initial weights (official state-dict names and layouts) and the
// same batch, so that both sides' first losses agree.
import { writeNpz } from '@tips/runtime';
import { TIPS_VOCAB_SIZE } from '@tips/text-encoder';
import { loadScenesTokenizer } from '@tips/data';
import { resolveTipsConfig, syntheticTipsBatch, visionConfigOf } from '@tips/trainer';

/**
 * The benchmark sizes. `tiny` is the preset as it trains (its vocabulary is the built-in scenes
 * tokenizer's). `S` is ViT-S/14 + text-S at the paper's crops (1 global 224, 6 local 98, captions of
 * 64 tokens, 32k vocabulary) with the paper's DINO/iBOT head shape (MLP 2048, bottleneck 256) but
 * 8192 instead of 65536 prototypes: the iBOT head runs on every patch token ([B·256, K] logits and
 * their gradients), which at K = 65536 does not fit a 4 GB wasm heap. Drop path is 0 on both sides so
 * that the first losses can be compared (with 0.1 it costs one multiply per residual, on both sides).
 */
export const SIZES = {
  tiny: { preset: 'tiny', patch: {} },
  S: {
    preset: 'S',
    patch: {
      model: { vision: { dropPathRate: 0 } },
      objective: { distill: { head: { prototypes: 8192 } }, mim: { head: { prototypes: 8192 } } },
      data: { batchSize: 8 },
    },
  },
};

/** The resolved TipsConfig of a size, with optional overrides (e.g. `{ data: { batchSize: 4 } }`). */
export function benchConfig(size, extra = {}) {
  const s = SIZES[size];
  if (!s) throw new Error(`unknown bench size '${size}' (${Object.keys(SIZES).join(', ')})`);
  const patch = merge(merge(s.patch, extra), { run: { out: '/tmp/tips-bench-unused', checkpointEvery: 0 } });
  return resolveTipsConfig({ preset: s.preset, patch });
}

function merge(a, b) {
  const out = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = v && typeof v === 'object' && !Array.isArray(v) && out[k] && typeof out[k] === 'object' ? merge(out[k], v) : v;
  return out;
}

/** Vocabulary size of a size's text tower: the scenes tokenizer's for tiny, TIPS's 32k for S. */
export async function vocabSizeOf(size) {
  return size === 'tiny' ? (await loadScenesTokenizer()).vocabSize : TIPS_VOCAB_SIZE;
}

/** The benchmark's fixed batch: @tips/trainer's seeded syntheticTipsBatch at the config's sizes. */
export function fixedBatch(config, vocabSize, seed = 1) {
  return syntheticTipsBatch(config, vocabSize, seed);
}

/**
 * Writes what tips_step.py needs to run the same step: the student's towers under their official
 * state-dict names and layouts (`vision.*`, `text.*`), the heads in DINOv2 layout (`dino_head.*`,
 * `ibot_head.*`), `logit_scale` (the log-parameter), the batch, and the sizes as `config` (JSON bytes).
 */
export async function writeTorchInputs(path, model, batch) {
  const c = model.config;
  const v = visionConfigOf(c);
  const t = model.text.config;
  const out = {};
  const put = (name, shape, data, dtype = 'float32') => (out[name] = { dtype, shape, data });
  for (const w of model.vision.params.toTensorsToWrite('vision.')) put(w.name, w.shape, w.data());
  for (const w of model.text.params.toTensorsToWrite('text.')) put(w.name, w.shape, w.data());
  for (const [prefix, head] of [['dino_head.', model.dinoHead], ['ibot_head.', model.ibotHead]]) {
    if (!head) continue;
    for (const [k, a] of Object.entries(head.toTorch())) put(prefix + k, a.shape, a.data);
  }
  put('logit_scale', [], model.logitScale.param.dataSync());
  put('global', batch.global.shape, batch.global.data);
  put('locals', batch.locals.shape, batch.locals.data);
  put('mask', batch.mask.shape, batch.mask.data, 'uint8');
  put('web_ids', batch.webTokens.shape, batch.webTokens.ids, 'int32');
  put('web_paddings', batch.webTokens.shape, batch.webTokens.paddings);
  put('syn_ids', batch.syntheticTokens.shape, batch.syntheticTokens.ids, 'int32');
  put('syn_paddings', batch.syntheticTokens.shape, batch.syntheticTokens.paddings);
  const o = c.objective;
  const sizes = {
    vision: { embedDim: v.embedDim, depth: v.depth, heads: v.heads, mlpHidden: v.mlpHidden, posGrid: v.posGrid, registers: v.registers, layerScaleInit: c.model.vision.layerScaleInit },
    text: { hiddenSize: t.hiddenSize, mlpDim: t.mlpDim, numHeads: t.numHeads, numLayers: t.numLayers, vocabSize: t.vocabSize },
    heads: { dino: o.distill.head, ibot: o.mim.head },
    studentTemp: o.distill.studentTemp,
    teacherTemp: o.distill.teacherTemp.start,
    centreMomentum: o.distill.centreMomentum,
    teacherMomentum: c.teacher.momentum.start,
    logitScaleMax: o.logitScaleMax,
    lr: c.optim.lr.peak,
    weightDecay: c.optim.weightDecay.start,
    betas: [c.optim.beta1, c.optim.beta2],
    clipGrad: c.optim.clipGrad,
  };
  out.config = { dtype: 'uint8', shape: [Buffer.byteLength(JSON.stringify(sizes))], data: new Uint8Array(Buffer.from(JSON.stringify(sizes))) };
  await writeNpz(path, out);
  return sizes;
}
