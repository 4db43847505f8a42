import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { dinoLoss } from './loss';
import { TeacherCentre } from './centre';
import { sinkhornKnopp } from './sinkhorn';
import { teacherTemperature } from './schedule';
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
  testDataDir,
  toTensor,
  useTestBackend,
  values,
} from '../test-utils';
import type { TensorData } from '@tips/runtime';

beforeAll(useTestBackend);

const softmax64 = (xs: ArrayLike<number>) => logSoftmax64(xs).map(Math.exp);

/** float64 DINO loss: Σ over crops of the batch mean of −Σ_k t log softmax(s/τ). */
function dino64(student: ArrayLike<number>, targets: ArrayLike<number>, C: number, B: number, K: number, tau: number): number {
  let total = 0;
  for (let c = 0; c < C; c++) {
    for (let b = 0; b < B; b++) {
      const s = Array.from({ length: K }, (_, k) => student[(c * B + b) * K + k]! / tau);
      const ls = logSoftmax64(s);
      let ce = 0;
      for (let k = 0; k < K; k++) ce -= targets[b * K + k]! * ls[k]!;
      total += ce / B;
    }
  }
  return total;
}

describe('DINO loss and teacher centring against DINOv2 (fixtures/losses/dino_dev.npz)', () => {
  let fx: Record<string, TensorData>;
  beforeAll(async () => {
    fx = await loadNpz(join(fixturesDir(), 'losses', 'dino_dev.npz'));
  });

  it('softmax centring at temperature 0.04 reproduces teacher_softmax_centered', () => {
    const centre = new TeacherCentre({ dim: 32, momentum: 0.9 });
    centre.load(values(fx.center!));
    const teacher = toTensor(fx.teacher!);
    expectNoLeak(() => expectRelClose(take(centre.softmaxCentred(teacher, 0.04)), values(fx.teacher_softmax_centered!), 1e-4));
    teacher.dispose();
    centre.dispose();
  });

  it('the EMA centre update (momentum 0.9) reproduces center_after_update', () => {
    const centre = new TeacherCentre({ dim: 32, momentum: 0.9 });
    centre.load(values(fx.center!));
    const teacher = toTensor(fx.teacher!);
    expectNoLeak(() => centre.update(teacher));
    expectRelClose(centre.center.dataSync() as Float32Array, values(fx.center_after_update!), 1e-5);
    teacher.dispose();
    centre.dispose();
  });

  it('the loss (sum over crops) and its gradient w.r.t. the student logits; mean = sum / crops', () => {
    const student = toTensor(fx.student!);
    const targets = toTensor(fx.teacher_softmax_centered!);
    expectNoLeak(() => {
      const f = (reduction: 'sum' | 'mean') => (s: tf.Tensor) => dinoLoss(s, targets, { studentTemp: 0.1, reduction });
      const ref = values(fx.loss_sum_over_crops!)[0]!;
      expectRelClose(take(f('sum')(student)), ref, 1e-4);
      expectRelClose(take(f('mean')(student)), ref / 3, 1e-4);
      expectRelClose(take(dinoLoss(student, targets)), ref / 3, 1e-4); // defaults: τ_s 0.1, mean
      expectRelClose(take(tf.grad(f('sum'))(student)), values(fx.grad_student!), 1e-3);
      expectRelClose(take(tf.grad(f('mean'))(student)), values(fx.grad_student!).map((g) => g / 3), 1e-3);
      // the same with the crops as a list, and with targets computed here
      const crops = tf.unstack(student);
      expectRelClose(take(dinoLoss(crops, targets, { reduction: 'sum' })), ref, 1e-4);
      tf.dispose(crops);
    });
    tf.dispose([student, targets]);
  });

  it('documents the fixture: its sinkhorn_targets are NaN (DINOv2 overflows exp(teacher/0.07) in float32)', () => {
    expect(values(fx.sinkhorn_targets!).every(Number.isNaN)).toBe(true);
  });
});

describe('sinkhornKnopp against DINOv2’s algorithm (test-data/sinkhorn_ref.npz, see make_sinkhorn_ref.py)', () => {
  let ref: Record<string, TensorData>;
  beforeAll(async () => {
    ref = await loadNpz(join(testDataDir, 'sinkhorn_ref.npz'));
  });

  it('matches torch float32 DINOv2 where that does not overflow (teacher/10, τ 0.07, 3 iterations)', () => {
    const t = toTensor(ref.teacher_small!);
    expectNoLeak(() => expectRelClose(take(sinkhornKnopp(t, 0.07, { iterations: 3 })), values(ref.torch_f32_targets!), 1e-4));
    t.dispose();
  });

  it('matches float64 DINOv2 on the fixture teacher, where float32 DINOv2 gives NaN (logits/τ up to 122)', () => {
    const t = toTensor(ref.teacher!);
    expectRelClose(take(sinkhornKnopp(t, 0.07)), values(ref.f64_targets!), 1e-4);
    expectRelClose(take(sinkhornKnopp(t, 0.07, { iterations: 50 })), values(ref.f64_targets_50!), 1e-4);
    t.dispose();
  });

  it('with a mask: only the selected samples take part (the rest are zeros)', () => {
    const t = toTensor(ref.teacher!);
    const m = tf.tensor1d(Array.from(ref.mask!.data as Uint8Array), 'bool');
    expectNoLeak(() => expectRelClose(take(sinkhornKnopp(t, 0.07, { mask: m })), values(ref.f64_masked_targets!), 1e-4));
    tf.dispose([t, m]);
  });
});

describe('sinkhornKnopp properties', () => {
  const B = 6;
  const K = 4;
  const logits = () => tf.tensor2d(Float32Array.from(pseudoRandom(B * K, 3, 2)), [B, K]);
  it('each sample row sums to 1; prototype columns converge to B/K', () => {
    const t = logits();
    const q = take(sinkhornKnopp(t, 1, { iterations: 200 }));
    for (let b = 0; b < B; b++) expect(q.slice(b * K, b * K + K).reduce((a, v) => a + v, 0)).toBeCloseTo(1, 5);
    for (let k = 0; k < K; k++) expect(Array.from({ length: B }, (_, b) => q[b * K + k]!).reduce((a, v) => a + v, 0)).toBeCloseTo(B / K, 4);
    const q3 = take(sinkhornKnopp(t, 1)); // 3 iterations: rows exact already
    for (let b = 0; b < B; b++) expect(q3.slice(b * K, b * K + K).reduce((a, v) => a + v, 0)).toBeCloseTo(1, 5);
    t.dispose();
  });

  it('adding a constant to one prototype’s logits for every sample changes nothing', () => {
    const t = logits();
    const shift = tf.tensor1d([3, -1, 0, 7]);
    const shifted = tf.add(t, shift);
    expectRelClose(take(sinkhornKnopp(shifted, 0.5)), take(sinkhornKnopp(t, 0.5)), 1e-5);
    tf.dispose([t, shift, shifted]);
  });

  it('is permutation-equivariant in the samples and carries no gradient', () => {
    const t = logits();
    const perm = tf.tensor1d([5, 2, 0, 1, 4, 3], 'int32');
    const q = sinkhornKnopp(t, 0.3);
    expectRelClose(take(sinkhornKnopp(tf.gather(t, perm), 0.3)), take(tf.gather(q, perm)), 1e-5);
    q.dispose();
    expect(take(tf.grad((x: tf.Tensor) => tf.sum(sinkhornKnopp(x, 0.3)))(t)).every((v) => v === 0)).toBe(true);
    tf.dispose([t, perm]);
  });
});

describe('TeacherCentre properties', () => {
  it('centring removes a constant shift: teacher + v with centre c + v gives the targets of teacher with c', () => {
    const K = 5;
    const t = tf.tensor2d(Float32Array.from(pseudoRandom(3 * K, 9, 3)), [3, K]);
    const v = tf.tensor1d([10, -4, 2, 0.5, 7]);
    const c = new TeacherCentre({ dim: K });
    const cv = new TeacherCentre({ dim: K });
    c.load([0.1, 0.2, 0.3, 0.4, 0.5]);
    cv.load([10.1, -3.8, 2.3, 0.9, 7.5]);
    const tv = tf.add(t, v);
    expectRelClose(take(cv.softmaxCentred(tv, 0.07)), take(c.softmaxCentred(t, 0.07)), 1e-4);
    // and the EMA keeps tracking the shift: after an update on the shifted teacher both still agree
    c.update(t);
    cv.update(tv);
    expectRelClose(take(cv.softmaxCentred(tv, 0.07)), take(c.softmaxCentred(t, 0.07)), 1e-4);
    // a centre fed a constant batch converges to it: c_n = (1 − 0.9^n)·mean
    const z = new TeacherCentre({ dim: K, momentum: 0.9 });
    for (let i = 0; i < 10; i++) z.update(tv);
    const mean = take(tf.mean(tv, 0));
    expectRelClose(z.center.dataSync() as Float32Array, mean.map((m) => m * (1 - 0.9 ** 10)), 1e-5);
    tf.dispose([t, v, tv]);
    [c, cv, z].forEach((x) => x.dispose());
  });

  it('a masked update averages only the selected rows, and an empty mask leaves the centre alone', () => {
    const c = new TeacherCentre({ dim: 2, momentum: 0.5 });
    const t = tf.tensor3d([[[1, 2], [3, 4]], [[5, 6], [100, 100]]]); // [B=2, N=2, K=2]
    const m = tf.tensor2d([[1, 0], [1, 0]], [2, 2], 'bool');
    c.update(t, m); // mean of (1,2) and (5,6) = (3,4); c = 0.5·0 + 0.5·(3,4)
    expect(Array.from(c.center.dataSync())).toEqual([1.5, 2]);
    const none = tf.zeros([2, 2], 'bool');
    c.update(t, none);
    expect(Array.from(c.center.dataSync())).toEqual([1.5, 2]);
    tf.dispose([t, m, none]);
    c.dispose();
  });

  it('targets carry no gradient; wrong K is a LossError', () => {
    const c = new TeacherCentre({ dim: 3 });
    const t = tf.tensor2d([[1, 2, 3]]);
    expect(take(tf.grad((x: tf.Tensor) => tf.sum(tf.mul(c.softmaxCentred(x, 0.1), tf.tensor1d([1, 2, 3]))))(t)).every((v) => v === 0)).toBe(true);
    expect(() => c.softmaxCentred(tf.zeros([2, 4]), 0.1)).toThrow(LossError);
    t.dispose();
    c.dispose();
  });
});

describe('teacherTemperature (DINO warm-up)', () => {
  it('is np.linspace(start, final, warmupSteps) and then final', () => {
    const s = { start: 0.04, final: 0.07, warmupSteps: 4 };
    expect([0, 1, 2, 3, 4, 100].map((i) => teacherTemperature(i, s))).toEqual([0.04, 0.04 + 0.01, 0.04 + 0.02, 0.07, 0.07, 0.07].map((v, i) => (i < 3 ? expect.closeTo(v, 12) : v)));
    expect(teacherTemperature(0, { warmupSteps: 0 })).toBe(0.07);
    expect(teacherTemperature(0, { warmupSteps: 1 })).toBe(0.04);
    expect(teacherTemperature(1, { warmupSteps: 1 })).toBe(0.07);
    expect(() => teacherTemperature(-1, s)).toThrow(LossError);
  });
});

describe('dinoLoss closed forms and properties', () => {
  it('uniform targets and zero student logits over K prototypes: ln K', () => {
    const K = 7;
    const s = tf.zeros([2, 3, K]);
    const t = tf.fill([3, K], 1 / K);
    expect(take(dinoLoss(s, t))[0]).toBeCloseTo(Math.log(K), 5);
    tf.dispose([s, t]);
  });

  it('one-hot target on prototype 0, student logits (a, 0), τ: ln(1 + e^(−a/τ))', () => {
    const [a, tau] = [0.3, 0.1];
    const s = tf.tensor2d([[a, 0]]);
    const t = tf.tensor2d([[1, 0]]);
    expect(take(dinoLoss(s, t, { studentTemp: tau }))[0]).toBeCloseTo(Math.log1p(Math.exp(-a / tau)), 5);
    tf.dispose([s, t]);
  });

  it('perfect alignment is the minimum: student = τ·log(targets) gives the targets’ entropy, anything else more', () => {
    const tgt = [0.5, 0.25, 0.125, 0.125];
    const entropy = -tgt.reduce((acc, p) => acc + p * Math.log(p), 0);
    const t = tf.tensor2d([tgt]);
    const best = tf.tensor2d([tgt.map((p) => 0.1 * Math.log(p))]);
    expect(take(dinoLoss(best, t))[0]).toBeCloseTo(entropy, 5);
    for (let k = 0; k < 4; k++) {
      const other = tf.add(best, tf.tensor2d([Array.from(pseudoRandom(4, 40 + k, 0.05))]));
      expect(take(dinoLoss(other, t))[0]).toBeGreaterThan(entropy);
      other.dispose();
    }
    tf.dispose([t, best]);
  });

  it('is invariant to permuting the batch jointly and to reordering crops; several teachers average', () => {
    const [C, B, K] = [3, 4, 5];
    const s = tf.tensor3d(Float32Array.from(pseudoRandom(C * B * K, 1)), [C, B, K]);
    const t = tf.softmax(tf.tensor2d(Float32Array.from(pseudoRandom(B * K, 2)), [B, K]));
    const perm = tf.tensor1d([2, 0, 3, 1], 'int32');
    const base = take(dinoLoss(s, t))[0]!;
    expect(take(dinoLoss(tf.gather(s, perm, 1), tf.gather(t, perm)))[0]).toBeCloseTo(base, 6);
    expect(take(dinoLoss(tf.reverse(s, 0), t))[0]).toBeCloseTo(base, 6);
    const t2 = tf.softmax(tf.tensor2d(Float32Array.from(pseudoRandom(B * K, 3)), [B, K]));
    const two = take(dinoLoss(s, tf.stack([t, t2])))[0]!;
    expect(two).toBeCloseTo((base + take(dinoLoss(s, t2))[0]!) / 2, 5);
    tf.dispose([s, t, perm, t2]);
  });

  it('gradient w.r.t. the student matches finite differences of a float64 reference', () => {
    const [C, B, K] = [2, 3, 6];
    const s = pseudoRandom(C * B * K, 5, 0.5);
    const tgt = new Float64Array(B * K);
    for (let b = 0; b < B; b++) softmax64(Array.from(pseudoRandom(K, 60 + b, 2))).forEach((p, k) => (tgt[b * K + k] = p));
    const S = tf.tensor3d(Float32Array.from(s), [C, B, K]);
    const T = tf.tensor2d(Float32Array.from(tgt), [B, K]);
    const f = (x: tf.Tensor) => dinoLoss(x, T, { reduction: 'sum', studentTemp: 0.1 });
    expectRelClose(take(f(S)), dino64(s, tgt, C, B, K, 0.1), 1e-5);
    expectRelClose(take(tf.grad(f)(S)), finiteDifference((x) => dino64(x, tgt, C, B, K, 0.1), s), 1e-3);
    tf.dispose([S, T]);
  });

  it('rejects mismatched shapes with a LossError', () => {
    const s = tf.zeros([2, 3, 4]);
    const t = tf.zeros([3, 5]);
    expect(() => dinoLoss(s, t)).toThrow(/share \[B, K\]/);
    expect(() => dinoLoss(s, t, { reduction: 'max' as 'sum' })).toThrow(LossError);
    tf.dispose([s, t]);
  });
});
