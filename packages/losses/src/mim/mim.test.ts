import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { ibotLoss } from './loss';
import { randomPatchMask, randomPatchMaskTensor } from './masking';
import { TeacherCentre } from '../distill/centre';
import { sinkhornKnopp } from '../distill/sinkhorn';
import { seededRandom } from '../util/random';
import { LossError } from '../errors';
import {
  expectNoLeak,
  expectRelClose,
  finiteDifference,
  fixturesDir,
  loadNpz,
  logSoftmax64,
  pseudoRandom,
  take,
  toTensor,
  useTestBackend,
  values,
} from '../test-utils';
import type { TensorData } from '@tips/runtime';

beforeAll(useTestBackend);

/** float64 iBOT/iBOT++ loss: per image Σ_n w_n·CE_n / Σ_n w_n (w = 1 masked, vw visible), mean over images. */
function ibot64(s: ArrayLike<number>, t: ArrayLike<number>, mask: ArrayLike<number>, B: number, N: number, K: number, tau: number, vw: number): number {
  let total = 0;
  for (let b = 0; b < B; b++) {
    let num = 0;
    let den = 0;
    for (let n = 0; n < N; n++) {
      const w = mask[b * N + n] ? 1 : vw;
      if (w === 0) continue;
      const off = (b * N + n) * K;
      const ls = logSoftmax64(Array.from({ length: K }, (_, k) => s[off + k]! / tau));
      let ce = 0;
      for (let k = 0; k < K; k++) ce -= t[off + k]! * ls[k]!;
      num += w * ce;
      den += w;
    }
    total += den > 0 ? num / den : 0;
  }
  return total / B;
}

describe('ibotLoss against DINOv2 iBOTPatchLoss (fixtures/losses/ibot_dev.npz)', () => {
  let fx: Record<string, TensorData>;
  beforeAll(async () => {
    fx = await loadNpz(join(fixturesDir(), 'losses', 'ibot_dev.npz'));
  });

  it('patch softmax centring (centre [1, 1, K], τ 0.07) reproduces teacher_softmax_centered', () => {
    const centre = new TeacherCentre({ dim: 32 });
    centre.load(values(fx.center!));
    const teacher = toTensor(fx.teacher!);
    expectNoLeak(() => expectRelClose(take(centre.softmaxCentred(teacher, 0.07)), values(fx.teacher_softmax_centered!), 1e-4));
    teacher.dispose();
    centre.dispose();
  });

  it('masked tokens only (iBOT): loss and gradient', () => {
    const [s, t, m] = [toTensor(fx.student!), toTensor(fx.teacher_softmax_centered!), toTensor(fx.masks!)];
    expectNoLeak(() => {
      const f = (x: tf.Tensor) => ibotLoss(x, t, m, { studentTemp: 0.1 });
      expectRelClose(take(f(s)), values(fx.loss!), 1e-4);
      expectRelClose(take(tf.grad(f)(s)), values(fx.grad_student!), 1e-3);
    });
    // a bool mask works the same
    const mb = tf.cast(m, 'bool');
    expectRelClose(take(ibotLoss(s, t, mb)), values(fx.loss!), 1e-4);
    tf.dispose([s, t, m, mb]);
  });

  it('iBOT++ with visibleWeight 1 counts every token: loss_all_tokens and its gradient', () => {
    const [s, t, m] = [toTensor(fx.student!), toTensor(fx.teacher_softmax_centered!), toTensor(fx.masks!)];
    expectNoLeak(() => {
      const f = (x: tf.Tensor) => ibotLoss(x, t, m, { studentTemp: 0.1, visibleWeight: 1 });
      expectRelClose(take(f(s)), values(fx.loss_all_tokens!), 1e-4);
      expectRelClose(take(tf.grad(f)(s)), values(fx.grad_student_all_tokens!), 1e-3);
    });
    tf.dispose([s, t, m]);
  });
});

describe('ibotLoss closed forms, properties and gradients', () => {
  const [B, N, K] = [2, 4, 3];
  const sArr = pseudoRandom(B * N * K, 11, 1);
  const tArr = new Float64Array(B * N * K);
  for (let i = 0; i < B * N; i++) logSoftmax64(Array.from(pseudoRandom(K, 200 + i, 2))).forEach((l, k) => (tArr[i * K + k] = Math.exp(l)));
  const maskArr = [1, 0, 1, 0, 0, 0, 0, 1];
  const S = () => tf.tensor3d(Float32Array.from(sArr), [B, N, K]);
  const T = () => tf.tensor3d(Float32Array.from(tArr), [B, N, K]);
  const M = () => tf.tensor2d(maskArr, [B, N]);

  it('hand-worked: uniform targets, zero logits → ln K per token; an image with no masked token adds 0 but counts', () => {
    const s = tf.zeros([2, 3, 4]);
    const t = tf.fill([2, 3, 4], 0.25);
    const m = tf.tensor2d([[1, 1, 0], [0, 0, 0]]);
    expect(take(ibotLoss(s, t, m))[0]).toBeCloseTo(Math.log(4) / 2, 6);
    expect(take(ibotLoss(s, t, m, { visibleWeight: 1 }))[0]).toBeCloseTo(Math.log(4), 6);
    tf.dispose([s, t, m]);
  });

  it('visible tokens do not matter for iBOT (value and zero gradient there)', () => {
    const [s, t, m] = [S(), T(), M()];
    const base = take(ibotLoss(s, t, m))[0]!;
    const bump = tf.mul(tf.sub(1, tf.expandDims(m, -1)), 5); // change only visible tokens
    expect(take(ibotLoss(tf.add(s, bump), t, m))[0]).toBeCloseTo(base, 6);
    const g = take(tf.grad((x: tf.Tensor) => ibotLoss(x, t, m))(s));
    for (let i = 0; i < B * N; i++) if (!maskArr[i]) for (let k = 0; k < K; k++) expect(Math.abs(g[i * K + k]!)).toBe(0);
    tf.dispose([s, t, m, bump]);
  });

  it('perfect alignment is the minimum; permuting tokens (with their mask) or images changes nothing', () => {
    const [t, m] = [T(), M()];
    const best = tf.mul(tf.log(t), 0.1);
    const bestLoss = take(ibotLoss(best, t, m))[0]!;
    const s = S();
    expect(take(ibotLoss(s, t, m))[0]).toBeGreaterThan(bestLoss);
    const perm = tf.tensor1d([3, 1, 0, 2], 'int32');
    expect(take(ibotLoss(tf.gather(s, perm, 1), tf.gather(t, perm, 1), tf.gather(m, perm, 1)))[0]).toBeCloseTo(take(ibotLoss(s, t, m))[0]!, 6);
    expect(take(ibotLoss(tf.reverse(s, 0), tf.reverse(t, 0), tf.reverse(m, 0)))[0]).toBeCloseTo(take(ibotLoss(s, t, m))[0]!, 6);
    tf.dispose([t, m, best, s, perm]);
  });

  it.each([0, 0.3, 1])('gradient matches finite differences of a float64 reference (visibleWeight %p)', (vw) => {
    const [s, t, m] = [S(), T(), M()];
    const f = (x: tf.Tensor) => ibotLoss(x, t, m, { visibleWeight: vw, studentTemp: 0.1 });
    const ref = (x: Float64Array) => ibot64(x, tArr, maskArr, B, N, K, 0.1, vw);
    expectRelClose(take(f(s)), ref(sArr), 1e-5);
    expectRelClose(take(tf.grad(f)(s)), finiteDifference(ref, sArr), 1e-3);
    tf.dispose([s, t, m]);
  });

  it('works with Sinkhorn targets over the masked tokens only', () => {
    const [s, m] = [S(), M()];
    const teacherLogits = tf.tensor3d(Float32Array.from(pseudoRandom(B * N * K, 77, 1)), [B, N, K]);
    const q = sinkhornKnopp(teacherLogits, 0.07, { mask: m });
    const qa = take(q.clone());
    for (let i = 0; i < B * N; i++) {
      const rowSum = qa[i * K]! + qa[i * K + 1]! + qa[i * K + 2]!;
      expect(rowSum).toBeCloseTo(maskArr[i] ? 1 : 0, 5);
    }
    expect(Number.isFinite(take(ibotLoss(s, q, m))[0]!)).toBe(true);
    tf.dispose([s, m, teacherLogits, q]);
  });

  it('rejects a mask of the wrong shape', () => {
    const s = S();
    const bad = tf.ones([B, N + 1]);
    expect(() => ibotLoss(s, s, bad)).toThrow(LossError);
    expect(() => ibotLoss(s, s, tf.ones([B, N]), { visibleWeight: -1 })).toThrow(/visibleWeight/);
    tf.dispose([s, bad]);
  });
});

describe('randomPatchMask', () => {
  it('masks exactly round(r·N) tokens per image with r in [min, max]; seeded runs repeat', () => {
    const [B, N] = [200, 37];
    const m = randomPatchMask({ batch: B, numPatches: N, ratio: [0.2, 0.6], seed: 5 });
    expect(m).toBeInstanceOf(Uint8Array);
    expect(m.length).toBe(B * N);
    const counts = Array.from({ length: B }, (_, b) => m.subarray(b * N, (b + 1) * N).reduce((a, v) => a + v, 0));
    for (const c of counts) {
      expect(c).toBeGreaterThanOrEqual(Math.round(0.2 * N));
      expect(c).toBeLessThanOrEqual(Math.round(0.6 * N));
    }
    // ratios drawn uniformly: mean ≈ 0.4·N, and both ends of the range are reached
    const mean = counts.reduce((a, v) => a + v, 0) / B;
    expect(mean / N).toBeGreaterThan(0.37);
    expect(mean / N).toBeLessThan(0.43);
    expect(Math.min(...counts)).toBeLessThanOrEqual(Math.round(0.2 * N) + 1);
    expect(Math.max(...counts)).toBeGreaterThanOrEqual(Math.round(0.6 * N) - 1);
    expect(randomPatchMask({ batch: B, numPatches: N, ratio: [0.2, 0.6], seed: 5 })).toEqual(m);
    expect(randomPatchMask({ batch: B, numPatches: N, ratio: [0.2, 0.6], seed: 6 })).not.toEqual(m);
  });

  it('a fixed ratio gives exactly round(r·N), and positions are uniform (not block-wise)', () => {
    const [B, N] = [4000, 10];
    const m = randomPatchMask({ batch: B, numPatches: N, ratio: [0.3, 0.3], random: seededRandom(9) });
    const perPos = new Array(N).fill(0);
    for (let b = 0; b < B; b++) {
      let c = 0;
      for (let n = 0; n < N; n++) {
        c += m[b * N + n]!;
        perPos[n] += m[b * N + n]!;
      }
      expect(c).toBe(3);
    }
    // each position is masked with probability 0.3: 1200 ± 5σ (σ = √(4000·0.3·0.7) ≈ 29)
    for (const p of perPos) expect(Math.abs(p - 1200)).toBeLessThan(145);
    // pairs of neighbours are not favoured over distant pairs (block masking would)
    let near = 0;
    let far = 0;
    for (let b = 0; b < B; b++) {
      near += m[b * N]! * m[b * N + 1]!;
      far += m[b * N]! * m[b * N + 7]!;
    }
    expect(Math.abs(near - far)).toBeLessThan(120); // both ≈ 4000·(3/10)(2/9) ≈ 267
  });

  it('probability leaves a share of images unmasked; the tensor version is the same mask as bool [B, N]', () => {
    const opts = { batch: 1000, numPatches: 16, ratio: [0.5, 0.5] as const, probability: 0.25, seed: 2 };
    const m = randomPatchMask(opts);
    let masked = 0;
    for (let b = 0; b < 1000; b++) if (m.subarray(b * 16, b * 16 + 16).some((v) => v === 1)) masked++;
    expect(masked).toBeGreaterThan(200);
    expect(masked).toBeLessThan(300);
    expectNoLeak(() => {
      const t = randomPatchMaskTensor(opts);
      expect(t.dtype).toBe('bool');
      expect(t.shape).toEqual([1000, 16]);
      expect(Array.from(t.dataSync())).toEqual(Array.from(m));
      t.dispose();
    });
  });

  it('rejects bad options with the option named', () => {
    expect(() => randomPatchMask({ batch: 2, numPatches: 4, ratio: [0.6, 0.2], seed: 1 })).toThrow(/min ≤ max/);
    expect(() => randomPatchMask({ batch: 2, numPatches: 4 })).toThrow(/seed/);
    expect(() => randomPatchMask({ batch: 2, numPatches: 0, seed: 1 })).toThrow(/numPatches/);
  });
});
