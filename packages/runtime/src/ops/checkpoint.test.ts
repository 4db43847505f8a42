import * as tf from '@tensorflow/tfjs-core';
import '../register-gradients';
import { initBackend } from '../backend';
import { randn } from './test-support';
import { checkpointed } from './checkpoint';
import { dense } from './dense';
import { gelu } from './activations';
import { layerNorm } from './layer-norm';
import { multiHeadAttention } from './attention';

// checkpointed(fn) against tfjs's own gradients of the plain fn (the same function, no checkpoint).

beforeAll(async () => {
  await initBackend({ backend: process.env.TIPS_BACKEND ?? 'wasm' });
});


function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    m = Math.max(m, Math.abs(a[i]! - b[i]!));
    s = Math.max(s, Math.abs(b[i]!));
  }
  return m / Math.max(s, 1e-12);
}

/** A small pre-LN transformer-like block: several inputs, fast custom ops inside, one unused input. */
function block(x: tf.Tensor, g: tf.Tensor, beta: tf.Tensor, wqkv: tf.Tensor, w1: tf.Tensor, b1: tf.Tensor, w2: tf.Tensor, unused: tf.Tensor): tf.Tensor {
  void unused;
  const n = layerNorm(x as tf.Tensor3D, g as tf.Tensor1D, beta as tf.Tensor1D, 1e-6);
  const [q, k, v] = tf.split(dense(n, wqkv as tf.Tensor2D, null), 3, -1) as [tf.Tensor3D, tf.Tensor3D, tf.Tensor3D];
  const y = tf.add(x, multiHeadAttention(q, k, v, { heads: 2 }));
  const h = gelu(dense(y, w1 as tf.Tensor2D, b1 as tf.Tensor1D));
  return tf.add(y, tf.mul(tf.tanh(dense(h, w2 as tf.Tensor2D, null)), x));
}

function makeInputs(seed = 1): tf.Tensor[] {
  const D = 8;
  return [
    randn([2, 5, D], seed),
    tf.add(1, randn([D], seed + 1, 0.1)),
    randn([D], seed + 2, 0.1),
    randn([D, 3 * D], seed + 3, 0.3),
    randn([D, 16], seed + 4, 0.3),
    randn([16], seed + 5, 0.1),
    randn([16, D], seed + 6, 0.3),
    randn([3], seed + 7),
  ];
}

const asFn = (f: typeof block) => (...xs: tf.Tensor[]) => f(...(xs as Parameters<typeof block>));

describe('checkpointed', () => {
  it('gives the value and the gradients of every input that tfjs gives for the plain function', () => {
    const inputs = makeInputs();
    const r = randn([2, 5, 8], 42);
    const loss = (wrap: boolean) => (...xs: tf.Tensor[]) => tf.sum(tf.mul(wrap ? checkpointed(asFn(block), xs) : asFn(block)(...xs), r));
    const before = tf.memory().numTensors;
    // tfjs's tf.grads refuses an input without a gradient: the plain reference differentiates the used seven.
    const unused = inputs[7]!;
    const plain = tf.tidy(() => tf.grads((...xs: tf.Tensor[]) => loss(false)(...xs, unused))(inputs.slice(0, 7)).map((g) => g.dataSync()));
    const ckpt = tf.tidy(() => tf.grads(loss(true))(inputs).map((g) => g.dataSync()));
    const vPlain = tf.tidy(() => loss(false)(...inputs).dataSync()[0]!);
    const vCkpt = tf.tidy(() => tf.valueAndGrads(loss(true))(inputs).value.dataSync()[0]!);
    expect(tf.memory().numTensors).toBe(before + 0);
    expect(Math.abs(vCkpt - vPlain)).toBeLessThan(1e-6 * Math.max(1, Math.abs(vPlain)));
    ckpt.forEach((g, i) => {
      if (i === 7) {
        // fn does not use this input: zero gradient (tfjs's plain path has no gradient for it at all).
        expect(Array.from(g).every((v) => v === 0)).toBe(true);
        return;
      }
      let m = 0;
      for (const v of plain[i]!) m = Math.max(m, Math.abs(v));
      expect(m).toBeGreaterThan(0);
      expect(relErr(g, plain[i]!)).toBeLessThan(1e-6);
    });
    tf.dispose([...inputs, r]);
  });

  it('works for tf.Variables under tf.variableGrads, twice in a row and chained, without leaking tensors', () => {
    const raw = makeInputs(7);
    const vars = raw.slice(1).map((t, i) => tf.variable(t, true, `ckpt_test_${i}`));
    const x = raw[0]!;
    const r = randn([2, 5, 8], 3);
    // Two chained blocks sharing the parameters (parameters get gradients from both).
    const f = (wrap: boolean) => () => {
      const run = (h: tf.Tensor) => (wrap ? checkpointed(asFn(block), [h, ...vars]) : asFn(block)(h, ...vars));
      return tf.sum(tf.mul(run(run(x)), r)) as tf.Scalar;
    };
    const before = tf.memory().numTensors;
    const grads = (wrap: boolean) => {
      // tf.variableGrads leaves out variables without a gradient (the unused last one on the plain path).
      const { value, grads } = tf.variableGrads(f(wrap), wrap ? vars : vars.slice(0, -1));
      const out = { value: value.dataSync()[0]!, grads: vars.map((v) => grads[v.name]?.dataSync()) };
      tf.dispose([value, ...Object.values(grads)]);
      return out;
    };
    const plain = grads(false);
    const a = grads(true);
    const b = grads(true);
    expect(tf.memory().numTensors).toBe(before);
    expect(Math.abs(a.value - plain.value)).toBeLessThan(1e-6 * Math.max(1, Math.abs(plain.value)));
    expect(Array.from(a.grads[vars.length - 1]!).every((v) => v === 0)).toBe(true);
    for (let i = 0; i < vars.length - 1; i++) {
      expect(relErr(a.grads[i]!, plain.grads[i]!)).toBeLessThan(1e-6);
      expect(Array.from(b.grads[i]!)).toEqual(Array.from(a.grads[i]!));
    }
    tf.dispose([...raw, ...vars, r]);
  });

  it('keeps only its inputs (and output) from the forward pass when a tape records', () => {
    const inputs = makeInputs(11);
    let plainAdded = 0;
    let ckptAdded = 0;
    tf.tidy(() => {
      tf.grads((...xs: tf.Tensor[]) => {
        const n0 = tf.memory().numTensors;
        const y = asFn(block)(...xs, inputs[7]!);
        plainAdded = tf.memory().numTensors - n0;
        return tf.sum(y);
      })(inputs.slice(0, 7));
      tf.grads((...xs: tf.Tensor[]) => {
        const n0 = tf.memory().numTensors;
        const y = checkpointed(asFn(block), xs);
        ckptAdded = tf.memory().numTensors - n0;
        return tf.sum(y);
      })(inputs);
    });
    // The checkpointed op: one saved clone per input + the output.
    expect(ckptAdded).toBe(inputs.length + 1);
    expect(plainAdded).toBeGreaterThan(3 * ckptAdded);
    tf.dispose(inputs);
  });

  it('is a plain call when no tape records (inference)', () => {
    const inputs = makeInputs(5);
    const before = tf.memory().numTensors;
    const y1 = tf.tidy(() => checkpointed(asFn(block), inputs));
    const y2 = tf.tidy(() => asFn(block)(...inputs));
    expect(tf.memory().numTensors).toBe(before + 2);
    expect(Array.from(y1.dataSync())).toEqual(Array.from(y2.dataSync()));
    tf.dispose([y1, y2, ...inputs]);
  });

  it('nests: a checkpointed function that calls checkpointed', () => {
    const inputs = makeInputs(9);
    const inner = asFn(block);
    const outer = (...xs: tf.Tensor[]) => {
      const h = checkpointed(inner, xs);
      return inner(h, ...xs.slice(1));
    };
    const r = randn([2, 5, 8], 4);
    const before = tf.memory().numTensors;
    const u = inputs[7]!;
    const plain = tf.tidy(() => tf.grads((...xs: tf.Tensor[]) => tf.sum(tf.mul(inner(inner(...xs, u), ...xs.slice(1), u), r)))(inputs.slice(0, 7)).map((g) => g.dataSync()));
    const nested = tf.tidy(() => tf.grads((...xs: tf.Tensor[]) => tf.sum(tf.mul(checkpointed(outer, xs), r)))(inputs).map((g) => g.dataSync()));
    expect(tf.memory().numTensors).toBe(before);
    for (let i = 0; i < 7; i++) expect(relErr(nested[i]!, plain[i]!)).toBeLessThan(1e-6);
    tf.dispose([...inputs, r]);
  });
});
