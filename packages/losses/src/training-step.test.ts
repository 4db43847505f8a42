// One TIPS-style objective over toy encoders, trained with a tfjs optimiser: CLIP dual form + DINO
// (local crops vs EMA teacher, centring) + iBOT (masked patch tokens, own centre, own head).
// Checks that the losses train together and that no tensor leaks across steps.
import * as tf from '@tensorflow/tfjs-core';
import { DinoHead, LogitScale, TeacherCentre, createSigLipParams, dinoLoss, ibotLoss, randomPatchMaskTensor, seededRandom, teacherTemperature, tipsContrastiveLoss } from './index';
import { useTestBackend } from './test-utils';

beforeAll(useTestBackend);

describe('a TIPS-style training step with every loss', () => {
  it('lowers the objective and keeps tf.memory().numTensors constant from step to step', () => {
    const [B, N, Dp, D, K] = [8, 6, 12, 16, 24];
    const rnd = (shape: number[], seed: number, std = 1) => tf.randomNormal(shape, 0, std, 'float32', seed);
    const patches = rnd([B, N, Dp], 1); // toy "images": N patch features each
    const web = tf.matMul(tf.mean(patches, 1), rnd([Dp, 10], 2, 0.5)); // captions correlated with them
    const syn = tf.matMul(tf.mean(patches, 1), rnd([Dp, 10], 3, 0.5));
    const wPatch = tf.variable(rnd([Dp, D], 4, 0.2));
    const wCls1 = tf.variable(rnd([D, D], 5, 0.2));
    const wCls2 = tf.variable(rnd([D, D], 6, 0.2));
    const wText = tf.variable(rnd([10, D], 7, 0.2));
    const maskToken = tf.variable(tf.zeros([Dp]));
    const scale = new LogitScale();
    const opts = { inDim: D, outDim: K, hiddenDim: 20, bottleneckDim: 8 };
    const dino = new DinoHead({ ...opts, seed: 1 });
    const ibot = new DinoHead({ ...opts, seed: 2 });
    const dinoT = DinoHead.fromTorch(dino.toTorch(), { trainable: false });
    const ibotT = DinoHead.fromTorch(ibot.toTorch(), { trainable: false });
    const cCls = new TeacherCentre({ dim: K });
    const cPatch = new TeacherCentre({ dim: K });
    const random = seededRandom(3);
    const opt = tf.train.adam(0.01);

    const encode = (x: tf.Tensor) => {
      const tokens = tf.reshape(tf.matMul(tf.reshape(x, [-1, Dp]), wPatch), [-1, N, D]);
      const pooled = tf.mean(tokens, 1);
      return { tokens, cls1: tf.matMul(pooled, wCls1) as tf.Tensor2D, cls2: tf.matMul(pooled, wCls2) as tf.Tensor2D };
    };
    const losses: number[] = [];
    const counts: number[] = [];
    for (let step = 0; step < 25; step++) {
      const tTemp = teacherTemperature(step, { start: 0.04, final: 0.07, warmupSteps: 10 });
      const mask = randomPatchMaskTensor({ batch: B, numPatches: N, ratio: [0.3, 0.5], random });
      const crop = tf.tidy(() => tf.add(patches, tf.randomNormal([B, N, Dp], 0, 0.3, 'float32', 100 + step)));
      const [clsT, patchT] = tf.tidy(() => {
        const t = encode(patches);
        return [dinoT.apply(t.cls1), ibotT.apply(t.tokens)];
      });
      const clsTargets = cCls.softmaxCentred(clsT!, tTemp);
      const patchTargets = cPatch.softmaxCentred(patchT!, tTemp);
      cCls.update(clsT!);
      cPatch.update(patchT!, mask);
      const loss = opt.minimize(() => {
        const masked = tf.where(tf.expandDims(mask, -1), tf.broadcastTo(maskToken, [B, N, Dp]), patches);
        const s = encode(masked);
        const local = encode(crop);
        const clip = tipsContrastiveLoss({ cls1: s.cls1, webText: tf.matMul(web, wText) as tf.Tensor2D, cls2: s.cls2, syntheticText: tf.matMul(syn, wText) as tf.Tensor2D }, { logitScale: scale.value() });
        const d = dinoLoss(dino.apply(local.cls1), clsTargets);
        const m = ibotLoss(ibot.apply(s.tokens), patchTargets, mask, { visibleWeight: 0.5 });
        return tf.addN([clip.total, tf.mul(d, 0.5), tf.mul(m, 0.5)]) as tf.Scalar;
      }, true)!;
      scale.clamp();
      tf.tidy(() => {
        for (const [student, teacher] of [[dino, dinoT], [ibot, ibotT]] as const) {
          student.params.forEach((v, k) => teacher.params.get(k)!.assign(tf.add(tf.mul(teacher.params.get(k)!, 0.9), tf.mul(v, 0.1))));
        }
      });
      losses.push(loss.dataSync()[0]!);
      tf.dispose([loss, mask, crop, clsT!, patchT!, clsTargets, patchTargets]);
      counts.push(tf.memory().numTensors);
    }
    expect(losses.every(Number.isFinite)).toBe(true);
    const first = (losses[0]! + losses[1]! + losses[2]!) / 3;
    const last = (losses[22]! + losses[23]! + losses[24]!) / 3;
    expect(last).toBeLessThan(first * 0.9);
    expect(new Set(counts.slice(1)).size).toBe(1); // step 0 creates the optimiser's slots
    tf.dispose([patches, web, syn, wPatch, wCls1, wCls2, wText, maskToken]);
    [scale, dino, ibot, dinoT, ibotT, cCls, cPatch].forEach((x) => x.dispose());
    opt.dispose();
  });
});

describe('the stateful pieces own exactly their variables', () => {
  it('creating and disposing heads, centres, temperatures and SigLIP parameters leaves no tensor behind', () => {
    const before = tf.memory().numTensors;
    const made = [
      new DinoHead({ inDim: 8, outDim: 16, hiddenDim: 12, bottleneckDim: 4, seed: 1 }),
      new DinoHead({ inDim: 8, outDim: 16, hiddenDim: 12, bottleneckDim: 4 }, 'zeros'),
      new TeacherCentre({ dim: 16 }),
      new LogitScale({ init: 10 }),
      createSigLipParams(),
    ];
    // Each piece holds its variables and nothing else: 8 for a 3-layer head, 1 each for the others, 2 for SigLIP.
    expect(tf.memory().numTensors - before).toBe(8 + 8 + 1 + 1 + 2);
    for (const m of made) m.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
