// One pre-LN ViT block (DINOv2 / TIPS layout: LN → qkv → attention → proj → LayerScale → residual,
// LN → fc1 → GELU → fc2 → LayerScale → residual) built from @tips/runtime's ops, with an MSE loss
// and Adam: the unit the training benchmarks time. block_step.py is the same step in PyTorch.
import * as tf from '@tensorflow/tfjs-core';
import { dense, gelu, layerNorm, multiHeadAttention, Rng } from '@tips/runtime';

/** Parameter shapes of one block of width D (MLP 4·D). */
export function blockShapes(D) {
  return {
    'norm1.weight': [D], 'norm1.bias': [D],
    'attn.qkv.weight': [D, 3 * D], 'attn.qkv.bias': [3 * D],
    'attn.proj.weight': [D, D], 'attn.proj.bias': [D],
    'ls1.gamma': [D],
    'norm2.weight': [D], 'norm2.bias': [D],
    'mlp.fc1.weight': [D, 4 * D], 'mlp.fc1.bias': [4 * D],
    'mlp.fc2.weight': [4 * D, D], 'mlp.fc2.bias': [D],
    'ls2.gamma': [D],
  };
}

/** Seeded initial values (float32 arrays) for the block, shared with the PyTorch side through a file if needed. */
export function blockInit(D, seed = 1) {
  const rng = new Rng(seed);
  const out = {};
  for (const [name, shape] of Object.entries(blockShapes(D))) {
    const n = shape.reduce((a, b) => a * b, 1);
    const a = new Float32Array(n);
    if (name.endsWith('norm1.weight') || name.endsWith('norm2.weight')) a.fill(1);
    else if (name.includes('gamma')) a.fill(0.1);
    else if (name.endsWith('weight')) for (let i = 0; i < n; i++) a[i] = rng.normal() * 0.02;
    out[name] = { shape, data: a };
  }
  return out;
}

/** Block forward: x [B, T, D] → [B, T, D]. */
export function blockForward(p, x, heads) {
  const [B, T, D] = x.shape;
  const n1 = layerNorm(x, p['norm1.weight'], p['norm1.bias'], 1e-6);
  const qkv = dense(n1, p['attn.qkv.weight'], p['attn.qkv.bias']);
  const [q, k, v] = tf.split(qkv, 3, -1);
  const a = multiHeadAttention(q, k, v, { heads });
  const y = tf.add(x, tf.mul(dense(a, p['attn.proj.weight'], p['attn.proj.bias']), p['ls1.gamma']));
  const n2 = layerNorm(y, p['norm2.weight'], p['norm2.bias'], 1e-6);
  const h = gelu(dense(n2, p['mlp.fc1.weight'], p['mlp.fc1.bias']));
  const f = dense(h, p['mlp.fc2.weight'], p['mlp.fc2.bias']);
  return tf.add(y, tf.mul(f, p['ls2.gamma']));
}

/** The bench's fixed input and target, [B, T, D] each (seeded). */
function blockData({ B, T, D, seed = 1 }) {
  const rng = new Rng(seed + 1);
  const x = new Float32Array(B * T * D).map(() => rng.normal());
  const target = new Float32Array(B * T * D).map(() => rng.normal());
  return { x, target };
}

/**
 * A training setup for one block: variables, a fixed batch and target, Adam. `step()` runs
 * forward + backward + Adam and returns the loss (a number); `dispose()` frees everything.
 */
export function makeBlockTrainer({ B, T, D, heads, lr = 1e-4, seed = 1 }) {
  const init = blockInit(D, seed);
  const p = {};
  for (const [name, { shape, data }] of Object.entries(init)) p[name] = tf.variable(tf.tensor(data, shape), true);
  const { x: xs, target: ys } = blockData({ B, T, D, seed });
  const x = tf.tensor3d(xs, [B, T, D]);
  const target = tf.tensor3d(ys, [B, T, D]);
  const opt = tf.train.adam(lr);
  const vars = Object.values(p);
  return {
    params: p,
    step() {
      const loss = opt.minimize(() => tf.mean(tf.square(tf.sub(blockForward(p, x, heads), target))), true, vars);
      const v = loss.dataSync()[0];
      loss.dispose();
      return v;
    },
    dispose() {
      tf.dispose([x, target, ...vars]);
      opt.dispose();
    },
  };
}
makeBlockTrainer.data = blockData;
