import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { clipLoss } from './softmax';
import { sigLipLoss, createSigLipParams } from './sigmoid';
import { LogitScale, logitScaleFromParam } from './logit-scale';
import { tipsContrastiveLoss } from './tips';
import { LossError } from '../errors';
import {
  dot64,
  expectNoLeak,
  expectRelClose,
  finiteDifference,
  fixturesDir,
  loadNpz,
  logSumExp64,
  normalize64,
  pseudoRandom,
  rowsOf,
  take,
  toTensor,
  useTestBackend,
  values,
} from '../test-utils';
import type { TensorData } from '@tips/runtime';

beforeAll(useTestBackend);

// ---- float64 references (plain JS) ----
function logits64(img: ArrayLike<number>, txt: ArrayLike<number>, B: number, D: number, scale: number, bias = 0): Float64Array {
  const I = rowsOf(img, B, D).map(normalize64);
  const T = rowsOf(txt, B, D).map(normalize64);
  const L = new Float64Array(B * B);
  for (let i = 0; i < B; i++) for (let j = 0; j < B; j++) L[i * B + j] = scale * dot64(I[i]!, T[j]!) + bias;
  return L;
}
function clip64(img: ArrayLike<number>, txt: ArrayLike<number>, B: number, D: number, scale: number, eps = 0): number {
  const L = logits64(img, txt, B, D, scale);
  const row = new Float64Array(B);
  const col = new Float64Array(B);
  let i2t = 0;
  let t2i = 0;
  for (let i = 0; i < B; i++) {
    for (let j = 0; j < B; j++) {
      row[j] = L[i * B + j]!;
      col[j] = L[j * B + i]!;
    }
    const lr = logSumExp64(row);
    const lc = logSumExp64(col);
    const meanRow = row.reduce((a, b) => a + b, 0) / B;
    const meanCol = col.reduce((a, b) => a + b, 0) / B;
    i2t += (1 - eps) * (lr - row[i]!) + eps * (lr - meanRow);
    t2i += (1 - eps) * (lc - col[i]!) + eps * (lc - meanCol);
  }
  return (i2t / B + t2i / B) / 2;
}
const logSigmoid64 = (z: number) => (z >= 0 ? -Math.log1p(Math.exp(-z)) : z - Math.log1p(Math.exp(z)));
function sigLip64(img: ArrayLike<number>, txt: ArrayLike<number>, B: number, D: number, scale: number, bias: number): number {
  const L = logits64(img, txt, B, D, scale, bias);
  let s = 0;
  for (let i = 0; i < B; i++) for (let j = 0; j < B; j++) s += logSigmoid64((i === j ? 1 : -1) * L[i * B + j]!);
  return -s / B;
}

const t2 = (data: ArrayLike<number>, B: number, D: number) => tf.tensor2d(Float32Array.from(data), [B, D]);

describe('clipLoss / sigLipLoss against open_clip (fixtures/losses/clip_dev.npz)', () => {
  let fx: Record<string, TensorData>;
  beforeAll(async () => {
    fx = await loadNpz(join(fixturesDir(), 'losses', 'clip_dev.npz'));
  });

  const cases: { name: string; fn: (i: tf.Tensor2D, t: tf.Tensor2D) => tf.Scalar }[] = [
    { name: 'clip', fn: (i, t) => clipLoss(i, t, { logitScale: 1 / 0.07 }) },
    { name: 'clip_max', fn: (i, t) => clipLoss(i, t, { logitScale: 100 }) },
    { name: 'siglip', fn: (i, t) => sigLipLoss(i, t, { logitScale: 10, logitBias: -10 }) },
  ];
  it.each(cases)('$name: loss to 1e-4 and gradients w.r.t. the raw features to 1e-3', ({ name, fn }) => {
    const image = toTensor(fx.image!) as tf.Tensor2D;
    const text = toTensor(fx.text!) as tf.Tensor2D;
    expectNoLeak(() => {
      const loss = take(fn(image, text));
      expectRelClose(loss[0]!, values(fx[`${name}_loss`]!)[0]!, 1e-4);
      const [gi, gt] = tf.grads((i: tf.Tensor, t: tf.Tensor) => fn(i as tf.Tensor2D, t as tf.Tensor2D))([image, text]);
      expectRelClose(take(gi!), values(fx[`${name}_grad_image`]!), 1e-3);
      expectRelClose(take(gt!), values(fx[`${name}_grad_text`]!), 1e-3);
    });
    image.dispose();
    text.dispose();
  });

  it('gives the same loss through a trainable LogitScale at the same value', () => {
    const image = toTensor(fx.image!) as tf.Tensor2D;
    const text = toTensor(fx.text!) as tf.Tensor2D;
    const scale = new LogitScale();
    const s = scale.value();
    expectRelClose(take(clipLoss(image, text, { logitScale: s })), values(fx.clip_loss!), 1e-4);
    tf.dispose([s, image, text]);
    scale.dispose();
  });
});

describe('clipLoss closed forms (worked by hand)', () => {
  it('two orthonormal pairs: loss = ln(1 + e^−s) for each direction', () => {
    for (const s of [1, 2, 5]) {
      const e = tf.tensor2d([[1, 0], [0, 1]]);
      const loss = take(clipLoss(e, e, { logitScale: s }))[0]!;
      expect(loss).toBeCloseTo(Math.log1p(Math.exp(-s)), 6);
      e.dispose();
    }
  });

  it('label smoothing ε: (1−ε)(lse − s) + ε(lse − s/2), lse = ln(e^s + 1)', () => {
    const s = 3;
    const eps = 0.1;
    const e = tf.tensor2d([[2, 0], [0, 5]]); // normalised to the identity
    const lse = Math.log(Math.exp(s) + 1);
    const loss = take(clipLoss(e, e, { logitScale: s, labelSmoothing: eps }))[0]!;
    expect(loss).toBeCloseTo((1 - eps) * (lse - s) + eps * (lse - s / 2), 6);
    e.dispose();
  });

  it('B identical embeddings: loss = ln B and a finite gradient, even at scale 100', () => {
    const B = 5;
    const e = tf.tile(tf.tensor2d([[0.3, -1.2, 0.7]]), [B, 1]) as tf.Tensor2D;
    expect(take(clipLoss(e, e, { logitScale: 100 }))[0]).toBeCloseTo(Math.log(B), 5);
    const g = take(tf.grad((x: tf.Tensor) => clipLoss(x as tf.Tensor2D, e, { logitScale: 100 }))(e));
    expect(g.every(Number.isFinite)).toBe(true);
    e.dispose();
  });

  it('SigLIP, two orthonormal pairs: softplus(−(s+b)) + softplus(b)', () => {
    const softplus = (x: number) => Math.log1p(Math.exp(x));
    const [s, b] = [10, -10];
    const e = tf.tensor2d([[1, 0], [0, 1]]);
    expect(take(sigLipLoss(e, e, { logitScale: s, logitBias: b }))[0]).toBeCloseTo(softplus(-(s + b)) + softplus(b), 6);
    e.dispose();
  });
});

describe('clip properties', () => {
  const B = 6;
  const D = 6;
  it('perfect alignment of orthonormal pairs is the minimum: any perturbation raises the loss', () => {
    const eye = tf.eye(D) as tf.Tensor2D;
    const best = take(clipLoss(eye, eye, { logitScale: 20 }))[0]!;
    expect(best).toBeGreaterThanOrEqual(0);
    for (let k = 0; k < 5; k++) {
      const noise = tf.tensor2d(Float32Array.from(pseudoRandom(B * D, 10 + k, 0.3)), [B, D]);
      const moved = tf.add(eye, noise) as tf.Tensor2D;
      expect(take(clipLoss(eye, moved, { logitScale: 20 }))[0]).toBeGreaterThan(best);
      expect(take(sigLipLoss(eye, moved, { logitScale: 10, logitBias: -5 }))[0]).toBeGreaterThan(
        take(sigLipLoss(eye, eye, { logitScale: 10, logitBias: -5 }))[0]!,
      );
      tf.dispose([noise, moved]);
    }
    eye.dispose();
  });

  it('permuting the pairs jointly leaves the loss unchanged and permutes the gradient rows', () => {
    const img = t2(pseudoRandom(B * D, 1), B, D);
    const txt = t2(pseudoRandom(B * D, 2), B, D);
    const perm = tf.tensor1d([3, 0, 5, 1, 4, 2], 'int32');
    const pImg = tf.gather(img, perm) as tf.Tensor2D;
    const pTxt = tf.gather(txt, perm) as tf.Tensor2D;
    for (const fn of [
      (i: tf.Tensor2D, t: tf.Tensor2D) => clipLoss(i, t, { logitScale: 30, labelSmoothing: 0.1 }),
      (i: tf.Tensor2D, t: tf.Tensor2D) => sigLipLoss(i, t, { logitScale: 10, logitBias: -3 }),
    ]) {
      expectRelClose(take(fn(pImg, pTxt)), take(fn(img, txt)), 1e-6);
      const g = tf.grad((x: tf.Tensor) => fn(x as tf.Tensor2D, txt))(img);
      const gp = tf.grad((x: tf.Tensor) => fn(x as tf.Tensor2D, pTxt))(pImg);
      expectRelClose(take(gp), take(tf.gather(g, perm)), 1e-5);
      g.dispose();
    }
    tf.dispose([img, txt, perm, pImg, pTxt]);
  });
});

describe('clip gradients against finite differences of a float64 reference', () => {
  const B = 4;
  const D = 5;
  const img = pseudoRandom(B * D, 7);
  const txt = pseudoRandom(B * D, 8);
  const cases = [
    {
      name: 'clip, scale 14.3, smoothing 0.1',
      tf: (i: tf.Tensor2D, t: tf.Tensor2D) => clipLoss(i, t, { logitScale: 1 / 0.07, labelSmoothing: 0.1 }),
      ref: (i: Float64Array, t: Float64Array) => clip64(i, t, B, D, 1 / 0.07, 0.1),
    },
    {
      name: 'siglip, scale 10, bias −2',
      tf: (i: tf.Tensor2D, t: tf.Tensor2D) => sigLipLoss(i, t, { logitScale: 10, logitBias: -2 }),
      ref: (i: Float64Array, t: Float64Array) => sigLip64(i, t, B, D, 10, -2),
    },
  ];
  it.each(cases)('$name', (c) => {
    const I = t2(img, B, D);
    const T = t2(txt, B, D);
    expectRelClose(take(c.tf(I, T)), c.ref(img, txt), 1e-5);
    const [gi, gt] = tf.grads((a: tf.Tensor, b: tf.Tensor) => c.tf(a as tf.Tensor2D, b as tf.Tensor2D))([I, T]);
    expectRelClose(take(gi!), finiteDifference((x) => c.ref(x, txt), img), 1e-3);
    expectRelClose(take(gt!), finiteDifference((x) => c.ref(img, x), txt), 1e-3);
    tf.dispose([I, T]);
  });
});

// B = 4096 on wasm (what CI runs). tfjs-backend-cpu is plain JavaScript, and under jest's vm context
// its Math calls run ~20× slower than in plain Node, so there the same cases run at B = 512.
const LARGE_B = process.env.TIPS_BACKEND && process.env.TIPS_BACKEND !== 'wasm' ? 512 : 4096;

describe(`large batches and scales (B = ${LARGE_B})`, () => {
  const B = LARGE_B;
  /**
   * Hand-worked case: pair i is ±e_(i mod 8) for both towers, the sign flipping every 8 rows, so at
   * scale s each row holds B/16 logits +s (its own included), B/16 logits −s and 7B/8 zeros
   * (B = 4096: 256, 256 and 3584).
   */
  const structured = () => {
    const x = new Float32Array(B * 8);
    for (let i = 0; i < B; i++) x[i * 8 + (i % 8)] = Math.floor(i / 8) % 2 === 0 ? 1 : -1;
    return tf.tensor2d(x, [B, 8]);
  };
  const logSigmoid = (z: number) => (z >= 0 ? -Math.log1p(Math.exp(-z)) : z - Math.log1p(Math.exp(z)));

  it('clip at scale 100 is ln(B/16 + (B/16)e^−200 + (7B/8)e^−100) = ln(B/16); SigLIP matches its closed form', () => {
    const e = structured();
    const [same, orth] = [B / 16, (7 * B) / 8];
    expectNoLeak(() => {
      expectRelClose(take(clipLoss(e, e, { logitScale: 100 })), Math.log(same), 1e-5);
      const [s, b] = [100, -10];
      const sig = -(logSigmoid(s + b) + (same - 1) * logSigmoid(-(s + b)) + same * logSigmoid(s - b) + orth * logSigmoid(-b));
      expectRelClose(take(sigLipLoss(e, e, { logitScale: s, logitBias: b })), sig, 1e-5); // B = 4096: ≈ 22950, a sum of 16.7M terms
    });
    e.dispose();
  });

  it('random correlated pairs at scale 100, D = 8: finite loss and gradients, no leak', () => {
    const D = 8;
    const img = pseudoRandom(B * D, 21);
    const I = t2(img, B, D);
    const T = t2(Float64Array.from(img, (v, i) => v + 0.3 * Math.sin(i)), B, D);
    expectNoLeak(() => {
      const { value, grads } = tf.valueAndGrads((a: tf.Tensor, b: tf.Tensor) => clipLoss(a as tf.Tensor2D, b as tf.Tensor2D, { logitScale: 100 }))([I, T]);
      const loss = take(value)[0]!;
      expect(Number.isFinite(loss) && loss > 0 && loss < Math.log(B)).toBe(true);
      expect(take(grads[0]!).every(Number.isFinite)).toBe(true);
      expect(take(grads[1]!).every(Number.isFinite)).toBe(true);
      expect(Number.isFinite(take(sigLipLoss(I, T, { logitScale: 100, logitBias: -10 }))[0]!)).toBe(true);
    });
    tf.dispose([I, T]);
  });

  it('identical embeddings at scale 100: loss ln B, no NaN', () => {
    const e = tf.tile(tf.tensor2d([[1, 2, 3, 4]]), [B, 1]) as tf.Tensor2D;
    expectRelClose(take(clipLoss(e, e, { logitScale: 100 })), Math.log(B), 1e-5);
    const g = take(tf.grad((x: tf.Tensor) => clipLoss(x as tf.Tensor2D, e, { logitScale: 100 }))(e));
    expect(g.every(Number.isFinite)).toBe(true);
    expect(Number.isFinite(take(sigLipLoss(e, e, { logitScale: 100, logitBias: -10 }))[0]!)).toBe(true);
    e.dispose();
  });
});

describe('LogitScale', () => {
  it('starts at 1/0.07, is exp(param), and is clamped to [1, 100] like open_clip', () => {
    const s = new LogitScale();
    expect(take(s.value())[0]).toBeCloseTo(1 / 0.07, 4);
    s.param.assign(tf.scalar(Math.log(1000)));
    expect(take(s.value())[0]).toBeCloseTo(100, 3); // clamped in value()
    s.clamp();
    expect(s.param.dataSync()[0]).toBeCloseTo(Math.log(100), 6);
    s.param.assign(tf.scalar(-3));
    s.clamp();
    expect(s.param.dataSync()[0]).toBe(0);
    s.dispose();
  });

  it('d value / d param = value below the clamp and 0 above it', () => {
    const g = (p: number) => take(tf.grad((x: tf.Tensor) => logitScaleFromParam(x as tf.Scalar))(tf.scalar(p)))[0];
    expect(g(Math.log(20))).toBeCloseTo(20, 3);
    expect(g(Math.log(500))).toBe(0);
  });

  it('trains: the loss gradient reaches the parameter', () => {
    const s = new LogitScale({ init: 5 });
    const e = tf.eye(3) as tf.Tensor2D;
    const { grads } = tf.variableGrads(() => clipLoss(e, e, { logitScale: s.value() }), [s.param]);
    // perfectly aligned pairs: a larger scale lowers the loss, so the gradient is negative
    expect(grads[s.param.name]!.dataSync()[0]).toBeLessThan(0);
    tf.dispose([e, grads]);
    s.dispose();
  });

  it('rejects an init above max', () => {
    expect(() => new LogitScale({ init: 200 })).toThrow(LossError);
  });
});

describe('tipsContrastiveLoss (the TIPS dual form)', () => {
  const B = 4;
  const D = 6;
  const mk = (seed: number) => t2(pseudoRandom(B * D, seed), B, D);
  it('returns each term and their weighted sum', () => {
    const [cls1, web, cls2, syn] = [mk(1), mk(2), mk(3), mk(4)];
    expectNoLeak(() => {
      const r = tipsContrastiveLoss({ cls1, webText: web, cls2, syntheticText: syn }, { logitScale: 10, weights: { web: 0.5, synthetic: 2 } });
      const webRef = take(clipLoss(cls1, web, { logitScale: 10 }))[0]!;
      const synRef = take(clipLoss(cls2, syn, { logitScale: 10 }))[0]!;
      expect(take(r.web)[0]).toBeCloseTo(webRef, 6);
      expect(take(r.synthetic)[0]).toBeCloseTo(synRef, 6);
      expect(take(r.total)[0]).toBeCloseTo(0.5 * webRef + 2 * synRef, 5);
    });
    tf.dispose([cls1, web, cls2, syn]);
  });

  it('sigmoid kind with learnable params; gradients reach cls1 and cls2 only through their own terms', () => {
    const [cls1, web, cls2, syn] = [mk(5), mk(6), mk(7), mk(8)];
    const p = createSigLipParams();
    const f = (a: tf.Tensor, b: tf.Tensor) => {
      const scale = p.logitScale.value();
      const r = tipsContrastiveLoss(
        { cls1: a as tf.Tensor2D, webText: web, cls2: b as tf.Tensor2D, syntheticText: syn },
        { kind: 'sigmoid', logitScale: scale, logitBias: p.logitBias, weights: { synthetic: 0 } },
      );
      return r.total;
    };
    const [g1, g2] = tf.grads(f)([cls1, cls2]);
    expect(take(g1!).some((v) => v !== 0)).toBe(true);
    expect(take(g2!).every((v) => v === 0)).toBe(true); // weight 0 on the synthetic term
    tf.dispose([cls1, web, cls2, syn]);
    p.dispose();
  });

  it('asks for a bias when kind is sigmoid', () => {
    const a = mk(1);
    expect(() => tipsContrastiveLoss({ cls1: a, webText: a, cls2: a, syntheticText: a }, { kind: 'sigmoid', logitScale: 10 })).toThrow(/logitBias/);
    a.dispose();
  });
});

describe('bad input', () => {
  it('throws LossError with code shape for mismatched pairs', () => {
    const a = tf.zeros([3, 4]) as tf.Tensor2D;
    const b = tf.zeros([2, 4]) as tf.Tensor2D;
    try {
      clipLoss(a, b, { logitScale: 10 });
      throw new Error('no throw');
    } catch (e) {
      expect(e).toBeInstanceOf(LossError);
      expect((e as LossError).code).toBe('shape');
      expect((e as Error).message).toMatch(/same batch/);
    }
    expect(() => sigLipLoss(a, a, { logitScale: tf.zeros([2]), logitBias: 0 })).toThrow(/scalar/);
    expect(() => clipLoss(a, a, { logitScale: 10, labelSmoothing: 2 })).toThrow(/labelSmoothing/);
    tf.dispose([a, b]);
  });
});
