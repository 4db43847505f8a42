import * as tf from '@tensorflow/tfjs-core';
import '../register-gradients';
import { initBackend } from '../backend';
import { randn } from './test-support';
import { dense } from './dense';
import { multiHeadAttention } from './attention';
import { layerNorm } from './layer-norm';
import { gelu, silu } from './activations';
import { plainBatchMatMul, sumRows } from './wasm-kernels';
import { getOpsPath, setOpsPath, useFastOps, withOpsPath, OpsPathError } from './path';

// The fast ops (hand-written backward passes) against tfjs's own gradients of the reference ops,
// and against central finite differences of the op itself.

beforeAll(async () => {
  await initBackend({ backend: process.env.TIPS_BACKEND ?? 'wasm' });
});


/** Value and gradients of L = Σ op(inputs)·R (R fixed random) with respect to every input. */
function valueAndGrads(path: 'fast' | 'reference', op: (...xs: tf.Tensor[]) => tf.Tensor, inputs: tf.Tensor[], seed = 99) {
  return withOpsPath(path, () =>
    tf.tidy(() => {
      const y = op(...inputs);
      const r = randn(y.shape, seed);
      const grads = tf.grads((...xs: tf.Tensor[]) => tf.sum(tf.mul(op(...xs), r)))(inputs);
      return { y: y.arraySync(), y32: y.dataSync(), grads: grads.map((g) => g.dataSync()), shapes: grads.map((g) => g.shape) };
    }),
  );
}

function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]!));
  return m;
}

/** max |a − b| relative to max |b| (float32 matmuls and reductions reorder sums). */
function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m / Math.max(maxAbs(b), 1e-12);
}

function expectSameGradients(op: (...xs: tf.Tensor[]) => tf.Tensor, inputs: tf.Tensor[], tol = 2e-5): void {
  const before = tf.memory().numTensors;
  const fast = valueAndGrads('fast', op, inputs);
  const ref = valueAndGrads('reference', op, inputs);
  expect(tf.memory().numTensors).toBe(before);
  expect(relErr(fast.y32, ref.y32)).toBeLessThan(tol);
  fast.grads.forEach((g, i) => {
    expect(fast.shapes[i]).toEqual(inputs[i]!.shape);
    expect(maxAbs(ref.grads[i]!)).toBeGreaterThan(0);
    expect(relErr(g, ref.grads[i]!)).toBeLessThan(tol);
  });
}

/**
 * Directional derivative check on the fast path: for random directions u, (L(x+εu) − L(x−εu)) / 2ε
 * against ⟨∇L, u⟩, for each input in turn.
 */
function expectFiniteDifferences(op: (...xs: tf.Tensor[]) => tf.Tensor, inputs: tf.Tensor[], eps = 1e-2, tol = 2e-3): void {
  withOpsPath('fast', () => {
    const r = tf.tidy(() => randn(op(...inputs).shape, 5));
    const loss = (...xs: tf.Tensor[]) => tf.sum(tf.mul(op(...xs), r));
    const grads = tf.grads(loss)(inputs);
    inputs.forEach((x, i) => {
      for (let d = 0; d < 2; d++) {
        const [analytic, numeric] = tf.tidy(() => {
          const u = randn(x.shape, 1000 + 10 * i + d);
          const at = (s: number) => loss(...inputs.map((t, j) => (j === i ? tf.add(t, tf.mul(u, s)) : t))).dataSync()[0]!;
          return [tf.sum(tf.mul(grads[i]!, u)).dataSync()[0]!, (at(eps) - at(-eps)) / (2 * eps)];
        });
        expect(Math.abs(analytic - numeric)).toBeLessThan(tol * Math.max(1, Math.abs(numeric)));
      }
    });
    tf.dispose([r, ...grads]);
  });
}

describe('ops path selection', () => {
  afterEach(() => setOpsPath('auto'));

  it('resolves auto to the fast path on wasm and cpu, and honours explicit choices', () => {
    expect(getOpsPath()).toBe('auto');
    expect(useFastOps()).toBe(true);
    setOpsPath('reference');
    expect(useFastOps()).toBe(false);
    expect(withOpsPath('fast', () => useFastOps())).toBe(true);
    expect(getOpsPath()).toBe('reference');
    expect(() => setOpsPath('turbo')).toThrow(OpsPathError);
    expect(() => setOpsPath('turbo')).toThrow(/auto, fast or reference/);
  });
});

describe('plainBatchMatMul', () => {
  it('equals tf.matMul for several batch sizes, no leak', () => {
    for (const [bt, m, k, n] of [
      [1, 3, 4, 5],
      [6, 7, 5, 9],
      [48, 13, 8, 13],
    ] as const) {
      const a = randn([bt, m, k], 1) as tf.Tensor3D;
      const b = randn([bt, k, n], 2) as tf.Tensor3D;
      const before = tf.memory().numTensors;
      const got = plainBatchMatMul(a, b);
      const want = tf.matMul(a, b);
      expect(got.shape).toEqual([bt, m, n]);
      expect(relErr(got.dataSync(), want.dataSync())).toBeLessThan(1e-6);
      tf.dispose([got, want]);
      expect(tf.memory().numTensors).toBe(before);
      tf.dispose([a, b]);
    }
  });

  it('rejects operands that do not chain', () => {
    const a = tf.zeros([2, 3, 4]) as tf.Tensor3D;
    const b = tf.zeros([2, 5, 4]) as tf.Tensor3D;
    expect(() => plainBatchMatMul(a, b)).toThrow(/do not chain/);
    tf.dispose([a, b]);
  });
});

describe('sumRows', () => {
  it('equals tf.sum over axis 0 (row counts that are and are not multiples of 4), no leak', () => {
    for (const [m, n] of [
      [1, 3],
      [7, 5],
      [12, 33],
    ] as const) {
      const x = randn([m, n], m + n) as tf.Tensor2D;
      const before = tf.memory().numTensors;
      const got = sumRows(x);
      const want = tf.sum(x, 0);
      expect(got.shape).toEqual([n]);
      expect(relErr(got.dataSync(), want.dataSync())).toBeLessThan(1e-6);
      tf.dispose([got, want]);
      expect(tf.memory().numTensors).toBe(before);
      x.dispose();
    }
  });
});

describe('fast gradients equal tfjs default gradients', () => {
  it('dense: 2-D and 3-D input, with and without bias', () => {
    const x3 = randn([3, 5, 7], 1);
    const x2 = randn([11, 7], 2);
    const w = randn([7, 6], 3, 0.3);
    const b = randn([6], 4);
    expectSameGradients((x, ww, bb) => dense(x!, ww as tf.Tensor2D, bb as tf.Tensor1D), [x3, w, b]);
    expectSameGradients((x, ww) => dense(x!, ww as tf.Tensor2D), [x2, w]);
    tf.dispose([x3, x2, w, b]);
  });

  it('layerNorm over the last axis (2-D and 3-D)', () => {
    const x3 = randn([2, 5, 16], 5, 2);
    const g = randn([16], 6);
    const b = randn([16], 7);
    expectSameGradients((x, gg, bb) => layerNorm(tf.add(x!, 3), gg as tf.Tensor1D, bb as tf.Tensor1D, 1e-6), [x3, g, b], 1e-4);
    const x2 = randn([9, 16], 8);
    expectSameGradients((x, gg, bb) => layerNorm(x!, gg as tf.Tensor1D, bb as tf.Tensor1D, 1e-5), [x2, g, b], 1e-4);
    tf.dispose([x3, g, b, x2]);
  });

  it('gelu and silu', () => {
    const x = randn([4, 33], 9, 2);
    expectSameGradients((t) => gelu(t!), [x]);
    expectSameGradients((t) => silu(t!), [x]);
    x.dispose();
  });

  it('multiHeadAttention: self-attention, cross-attention (Tq ≠ Tk), custom scale', () => {
    const q = randn([2, 5, 12], 10);
    const k = randn([2, 5, 12], 11);
    const v = randn([2, 5, 12], 12);
    expectSameGradients((a, b, c) => multiHeadAttention(a as tf.Tensor3D, b as tf.Tensor3D, c as tf.Tensor3D, { heads: 3 }), [q, k, v], 1e-4);
    const k7 = randn([2, 7, 12], 13);
    const v7 = randn([2, 7, 12], 14);
    expectSameGradients((a, b, c) => multiHeadAttention(a as tf.Tensor3D, b as tf.Tensor3D, c as tf.Tensor3D, { heads: 2, scale: 0.7 }), [q, k7, v7], 1e-4);
    tf.dispose([q, k, v, k7, v7]);
  });

  it('multiHeadAttention with a key-padding mask (including a row that is all padding)', () => {
    const q = randn([3, 6, 8], 20);
    const k = randn([3, 6, 8], 21);
    const v = randn([3, 6, 8], 22);
    const mask = tf.tensor2d(
      [
        [1, 1, 1, 1, 0, 0],
        [1, 1, 1, 1, 1, 1],
        [0, 0, 0, 0, 0, 0],
      ],
      [3, 6],
    );
    const op = (a?: tf.Tensor, b?: tf.Tensor, c?: tf.Tensor) => multiHeadAttention(a as tf.Tensor3D, b as tf.Tensor3D, c as tf.Tensor3D, { heads: 2, keyMask: mask });
    expectSameGradients(op, [q, k, v], 1e-4);
    // Padded keys get no gradient and do not change the output.
    withOpsPath('fast', () => {
      const gk = tf.grad((kk: tf.Tensor) => tf.sum(op(q, kk, v)))(k);
      expect(maxAbs(tf.slice(gk, [0, 4, 0], [1, 2, 8]).dataSync())).toBe(0);
      const moved = tf.tidy(() => tf.add(v, tf.mul(tf.reshape(tf.oneHot(tf.tensor1d([5, 5, 5], 'int32'), 6), [3, 6, 1]), 10)));
      const a = op(q, k, v);
      const b = op(q, k, moved);
      expect(relErr(tf.slice(b, [0, 0, 0], [1, 6, 8]).dataSync(), tf.slice(a, [0, 0, 0], [1, 6, 8]).dataSync())).toBeLessThan(1e-6);
      tf.dispose([gk, moved, a, b]);
    });
    tf.dispose([q, k, v, mask]);
  });
});

describe('fast gradients against finite differences', () => {
  it('dense', () => {
    const [x, w, b] = [randn([2, 3, 4], 30), randn([4, 5], 31, 0.5), randn([5], 32)];
    expectFiniteDifferences((a, ww, bb) => dense(a!, ww as tf.Tensor2D, bb as tf.Tensor1D), [x, w, b]);
    tf.dispose([x, w, b]);
  });
  it('layerNorm, gelu, silu', () => {
    const [x, g, b] = [randn([3, 8], 33), randn([8], 34), randn([8], 35)];
    expectFiniteDifferences((a, gg, bb) => layerNorm(a!, gg as tf.Tensor1D, bb as tf.Tensor1D, 1e-5), [x, g, b]);
    expectFiniteDifferences((a) => gelu(a!), [x]);
    expectFiniteDifferences((a) => silu(a!), [x]);
    tf.dispose([x, g, b]);
  });
  it('multiHeadAttention', () => {
    const [q, k, v] = [randn([2, 4, 6], 36), randn([2, 5, 6], 37), randn([2, 5, 6], 38)];
    const mask = tf.tensor2d([1, 1, 1, 0, 1, 1, 1, 1, 1, 1], [2, 5]);
    expectFiniteDifferences((a, b, c) => multiHeadAttention(a as tf.Tensor3D, b as tf.Tensor3D, c as tf.Tensor3D, { heads: 2, keyMask: mask }), [q, k, v]);
    tf.dispose([q, k, v, mask]);
  });
});

describe('fast path kernels and memory', () => {
  it('the dense backward runs only untransposed 2-D matmuls', async () => {
    const x = randn([10, 7], 40);
    const w = randn([7, 3], 41);
    const prof = await tf.profile(() =>
      withOpsPath('fast', () => {
        const g = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(dense(a, b as tf.Tensor2D)))([x, w]);
        return g;
      }),
    );
    const mms = prof.kernels.filter((k) => k.name === 'BatchMatMul' || k.name === '_FusedMatMul');
    expect(mms.length).toBe(3);
    for (const k of mms) {
      const [a, b] = k.inputShapes as number[][];
      expect(a![a!.length - 1]).toBe(b![b!.length - 2]); // inner dims chain: no transposeA/B
    }
    tf.dispose(prof.result as tf.Tensor[]);
    tf.dispose([x, w]);
  });

  it('attention on wasm uses the per-head XNNPACK kernel, forward and backward', async () => {
    if (tf.getBackend() !== 'wasm') return;
    const q = randn([2, 5, 8], 42);
    const prof = await tf.profile(() => withOpsPath('fast', () => tf.grad((t: tf.Tensor) => tf.sum(multiHeadAttention(t as tf.Tensor3D, t as tf.Tensor3D, t as tf.Tensor3D, { heads: 2 })))(q)));
    const names = prof.kernels.map((k) => k.name);
    expect(names.filter((n) => n === 'TipsPlainBatchMatMul').length).toBe(6);
    expect(names).not.toContain('BatchMatMul');
    (prof.result as tf.Tensor).dispose();
    q.dispose();
  });

  it('forward without a gradient tape keeps nothing; repeated training steps do not grow memory', () => {
    const x = randn([2, 4, 8], 50);
    const w = tf.variable(randn([8, 8], 51, 0.3));
    const g = tf.variable(tf.ones([8]));
    const b = tf.variable(tf.zeros([8]));
    const step = () =>
      tf.tidy(() => {
        const h = gelu(dense(layerNorm(x, g as tf.Tensor1D, b as tf.Tensor1D, 1e-6), w as tf.Tensor2D, b as tf.Tensor1D));
        const a = multiHeadAttention(h as tf.Tensor3D, h as tf.Tensor3D, h as tf.Tensor3D, { heads: 2 });
        return tf.sum(silu(a));
      });
    withOpsPath('fast', () => {
      const before = tf.memory().numTensors;
      step().dispose();
      expect(tf.memory().numTensors).toBe(before);
      const counts: number[] = [];
      for (let i = 0; i < 3; i++) {
        const { value, grads } = tf.variableGrads(step as () => tf.Scalar);
        tf.dispose([value, ...Object.values(grads)]);
        counts.push(tf.memory().numTensors);
      }
      expect(new Set(counts).size).toBe(1);
      expect(counts[0]).toBe(before);
    });
    tf.dispose([x, w, g, b]);
  });
});
