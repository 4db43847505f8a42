// Trains the DPT-style head of dpt-head.mjs on frozen TIPS features of the built-in scenes, through
// the same path as TIPS-TS's own probes: HeadTrainable (frozen encoder, layers on request) + train().
// node train.mjs [--steps 200] [--size 112] [--count 64] [--checkpoint vision.safetensors] [--out runs/dpt-head]
import { parseArgs } from 'node:util';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@tips/runtime';
import { VisionTransformer, loadVisionCheckpoint } from '@tips/vit-core';
import { HeadTrainable, train, saveHead } from '@tips/trainer';
import { generateScenes } from '@tips/data';
import { openEvalSplit, splitImages, loadDepths, registerHeadKind, loadHead } from '@tips/eval';
import { DptDepthHead } from './dpt-head.mjs';

const { values: a } = parseArgs({ options: { steps: { type: 'string', default: '200' }, size: { type: 'string', default: '112' }, count: { type: 'string', default: '64' }, batch: { type: 'string', default: '8' }, checkpoint: { type: 'string' }, out: { type: 'string', default: 'runs/dpt-head' } } });
const [steps, S, count, B] = [Number(a.steps), Number(a.size), Number(a.count), Number(a.batch)];
await initBackend({ backend: process.env.TIPS_BACKEND ?? 'wasm' });

// 1. Data: built-in scenes (RGB + 16-bit depth), decoded once into memory.
const scenes = await generateScenes({ out: join(a.out, `scenes-${S}px-${count}`), count, width: S, height: S, seed: 0 });
const split = await openEvalSplit(scenes.manifest);
const images = await splitImages(split, [S, S]).load([...Array(count).keys()]);
const depth = new Float32Array(count * S * S);
(await loadDepths(split, [S, S])).forEach((d, i) => depth.set(d, i * S * S));

// 2. The frozen image tower: a trained checkpoint, or (to try the code) a tiny random one.
const encoder = a.checkpoint
  ? await loadVisionCheckpoint(a.checkpoint, { trainable: false })
  : VisionTransformer.init({ embedDim: 64, depth: 4, heads: 4, mlpHidden: 128, ffn: 'mlp', patchSize: 14, posGrid: S / 14, registers: 1, eps: 1e-6, layerScale: true, qkvBias: true }, { seed: 0, layerScaleInit: 1 });
const L = encoder.config.depth;
const layers = [...new Set([0, 1, 2, 3].map((k) => Math.round(((k + 1) * L) / 4) - 1))]; // 4 blocks spread over the depth
const head = new DptDepthHead({ embedDim: encoder.config.embedDim, layers, features: 32 });

// 3. Batches of images and depth targets; a position {epoch, index} gives the same batches (resume).
const data = {
  imagesPerBatch: B,
  async *batches(from) {
    for (let index = from?.index ?? 0; ; ) {
      const idx = Array.from({ length: B }, (_, k) => (index + k) % count);
      index += B;
      const pick = (src, per) => {
        const out = new Float32Array(B * per);
        idx.forEach((i, k) => out.set(src.subarray(i * per, (i + 1) * per), k * per));
        return out;
      };
      yield { batch: { images: tf.tensor4d(pick(images, S * S * 3), [B, S, S, 3]), target: { depth: tf.tensor3d(pick(depth, S * S), [B, S, S]) } }, next: { index } };
    }
  },
  release: (b) => tf.dispose([b.images, b.target.depth]),
};

// 4. Train with the shared loop (AdamW, warm-up + cosine, NaN guard, checkpoints, metrics.jsonl), save the head alone.
await train({ trainable: new HeadTrainable(encoder, head), data, steps, outDir: a.out, lr: { peak: 2e-3, warmup: Math.ceil(steps / 10) }, progress: false, onStep: (r) => console.log(JSON.stringify({ step: r.step, loss: r.loss, tensors: r.numTensors })) });
const file = join(a.out, 'dpt-head.safetensors');
await saveHead(head, file);

// 5. Load it back (any program can: register the kind once), and check it predicts the same.
registerHeadKind(head.kind, { specs: (config) => DptDepthHead.specs(config), build: (config, params) => new DptDepthHead(config, { params }) });
const loaded = await loadHead(file);
const diff = tf.tidy(() => {
  const f = encoder.forward(tf.tensor4d(images.subarray(0, S * S * 3), [1, S, S, 3]), { layers });
  return tf.max(tf.abs(tf.sub(head.forward(f), loaded.forward(f)))).dataSync()[0];
});
console.log(JSON.stringify({ saved: file, reloadedMaxDiff: diff }));
