import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@tips/runtime';
import { DinoHead, ibotLoss } from '@tips/losses';
import { maskedIbotLoss, maskedTokensOf, selectTokens } from './masked-tokens';

// iBOT with the student's head on the masked tokens only must equal @tips/losses' ibotLoss on every
// token (itself checked against DINOv2's iBOTPatchLoss fixtures): value and gradients, with the
// tfjs gradients of the full-token path as the reference.

beforeAll(async () => {
  await initBackend({ backend: process.env.TIPS_BACKEND ?? 'wasm' });
});

const [B, N, D, K] = [3, 5, 8, 12];
// Image 0: 2 masked, image 1: none (still counts in the mean), image 2: 4 masked.
const MASK = Uint8Array.from([1, 0, 0, 1, 0, /**/ 0, 0, 0, 0, 0, /**/ 1, 1, 0, 1, 1]);

describe('masked-token selection', () => {
  it('lists the masked rows with weights 1/(count·B), and null for an empty mask', () => {
    const sel = maskedTokensOf(MASK, B, N)!;
    expect(Array.from(sel.rows)).toEqual([0, 3, 10, 11, 13, 14]);
    expect(Array.from(sel.weights)).toEqual([1 / 6, 1 / 6, 1 / 12, 1 / 12, 1 / 12, 1 / 12].map(Math.fround));
    expect(sel.total).toBe(15);
    expect(maskedTokensOf(new Uint8Array(15), B, N)).toBeNull();
  });

  it('selectTokens picks the rows and sends gradients back to them only', () => {
    const x = tf.tensor3d(Float32Array.from({ length: B * N * 2 }, (_, i) => i), [B, N, 2]);
    const sel = maskedTokensOf(MASK, B, N)!;
    expect(Array.from(selectTokens(x, sel).dataSync())).toEqual([0, 1, 6, 7, 20, 21, 22, 23, 26, 27, 28, 29]);
    const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(selectTokens(t as tf.Tensor3D, sel), 2)))(x);
    const expected = new Float32Array(B * N * 2);
    for (const r of sel.rows) expected[2 * r] = expected[2 * r + 1] = 2;
    expect(Array.from(g.dataSync())).toEqual(Array.from(expected));
  });
});

describe('maskedIbotLoss', () => {
  it('equals ibotLoss over all tokens, in value and in the gradients of the tokens and the head', () => {
    const head = new DinoHead({ inDim: D, outDim: K, hiddenDim: 16, bottleneckDim: 6, seed: 3 });
    const patches = tf.randomNormal([B, N, D], 0, 1, 'float32', 1) as tf.Tensor3D;
    const targets = tf.softmax(tf.randomNormal([B, N, K], 0, 2, 'float32', 2)) as tf.Tensor3D;
    const mask = tf.tensor2d(MASK, [B, N], 'bool');
    const sel = maskedTokensOf(MASK, B, N)!;
    const vars = [...head.params.values()];
    const run = (f: (x: tf.Tensor3D) => tf.Scalar) => {
      const x = tf.variable(patches, true, 'masked-tokens-test/x');
      const { value, grads } = tf.variableGrads(() => f(x), [x, ...vars]);
      const out = { value: value.dataSync()[0]!, grads: Object.fromEntries(Object.entries(grads).map(([k, g]) => [k, g.dataSync()])) };
      x.dispose();
      return out;
    };
    const full = run((x) => ibotLoss(head.apply(x), targets, mask, { studentTemp: 0.1 }));
    const masked = run((x) => maskedIbotLoss((t) => head.apply(t), x, targets, sel, 0.1));
    expect(masked.value).toBeCloseTo(full.value, 5);
    expect(Object.keys(masked.grads).sort()).toEqual(Object.keys(full.grads).sort());
    for (const [k, g] of Object.entries(full.grads)) {
      const m = masked.grads[k]!;
      const scale = Math.max(...Array.from(g, Math.abs));
      expect(scale).toBeGreaterThan(0);
      for (let i = 0; i < g.length; i++) expect(Math.abs(m[i]! - g[i]!)).toBeLessThan(1e-5 * scale + 1e-7);
    }
    head.dispose();
  });
});
