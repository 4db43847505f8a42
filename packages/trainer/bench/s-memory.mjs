// Where the memory of the S/14@224 TIPS step goes: tf.memory / tf.profile bytes (not times) of one
// single-thread gradient step and of its parts, with model.checkpointBlocks on or off.
//   node bench/s-memory.mjs [batch=4] [all|step|parts] [on|off]   (after building @tips/trainer and its deps)
// Prints one JSON line; progress on stderr. docs/performance.md, "Why B = 8 does not fit one heap".
import * as tf from '@tensorflow/tfjs-core';
import * as rt from '@tips/runtime';
import * as trainer from '@tips/trainer';
import { benchConfig, fixedBatch, vocabSizeOf } from './tips-setup.mjs';
const B = Number(process.argv[2] ?? 4);
const mode = process.argv[3] ?? 'all';
const ckpt = (process.argv[4] ?? 'on') === 'on';
await rt.initBackend({ backend: 'wasm' });
const MB = 2 ** 20;
const mb = (x) => Math.round(x / MB);
const config = benchConfig('S', { data: { batchSize: B }, model: { checkpointBlocks: ckpt } });
const vocab = await vocabSizeOf('S');
const batch = fixedBatch(config, vocab);
const model = await trainer.TipsModel.create(config, vocab);
const objective = new trainer.TipsObjective(model);
const vars = objective.trainableVariables();
const out = { B, checkpointBlocks: ckpt };
const trainedBytes = [...vars.values()].reduce((a, v) => a + v.size * 4, 0);
out.trainedParamsMB = mb(trainedBytes);
out.allTensorsAfterCreateMB = mb(tf.memory().numBytes);
const ctx = { step: 0, totalSteps: 1, micro: 0, lr: 0, weightDecay: 0, rng: new rt.Rng(0) };
const heap = () => mb(tf.backend().wasm.HEAPU8.length);
objective.prepare(batch, ctx);
out.afterPrepareMB = mb(tf.memory().numBytes);
const peakInfo = (p) => {
  let k = 0;
  p.kernels.forEach((x, i) => { if (x.totalBytesSnapshot > p.kernels[k].totalBytesSnapshot) k = i; });
  return { peakMB: mb(p.peakBytes), atKernel: `${p.kernels[k]?.name} #${k}/${p.kernels.length}`, inputShapes: p.kernels[k]?.inputShapes };
};
if (mode === 'all' || mode === 'step') {
  let fwd = 0;
  const p = await tf.profile(() => {
    const { value, grads } = tf.variableGrads(() => {
      const l = objective.loss(batch, ctx);
      fwd = tf.memory().numBytes;
      return l.total;
    }, [...vars.values()]);
    tf.dispose([value, ...Object.values(grads)]);
  });
  out.step = { endOfForwardMB: mb(fwd), ...peakInfo(p), heapMB: heap() };
  console.error(JSON.stringify(out));
}
if (mode === 'all' || mode === 'parts') {
  const t4 = (blk) => tf.tensor4d(blk.data, [blk.shape.length === 5 ? blk.shape[0] * blk.shape[1] : blk.shape[0], ...blk.shape.slice(-3)]);
  const global = t4(batch.global);
  const locals = t4(batch.locals);
  const mask = tf.tensor2d(batch.mask.data, batch.mask.shape, 'bool');
  const L = batch.webTokens.shape[1];
  const ids = tf.tensor2d(new Int32Array([...batch.webTokens.ids, ...batch.syntheticTokens.ids]), [2 * B, L], 'int32');
  const pads = tf.tensor2d(new Float32Array([...batch.webTokens.paddings, ...batch.syntheticTokens.paddings]), [2 * B, L]);
  const m = model;
  const vision = [...m.vision.params.variables().values()];
  const mean = (...xs) => tf.addN(xs.map((x) => tf.mean(x)));
  const parts = {
    globalTowerOnly: [vision, () => { const o = m.vision.forward(global, { masks: mask, training: true, checkpointBlocks: ckpt }); return mean(o.cls1, o.cls2, o.patches); }],
    globalPlusIbotHead: [[...vision, ...m.ibotHead.params.values()], () => { const o = m.vision.forward(global, { masks: mask, training: true, checkpointBlocks: ckpt }); return mean(o.cls1, o.cls2, tf.logSoftmax(m.ibotHead.apply(o.patches))); }],
    localsPlusDinoHead: [[...vision, ...m.dinoHead.params.values()], () => mean(tf.logSoftmax(m.dinoHead.apply(m.vision.forward(locals, { training: true, checkpointBlocks: ckpt }).cls1)))],
    text: [[...m.text.params.variables().values()], () => mean(m.text.forward(ids, pads, { checkpointBlocks: ckpt }))],
  };
  out.parts = {};
  for (const [name, [vs, f]] of Object.entries(parts)) {
    const before = tf.memory().numBytes;
    const p = await tf.profile(() => {
      const { value, grads } = tf.variableGrads(f, vs);
      tf.dispose([value, ...Object.values(grads)]);
    });
    out.parts[name] = { ...peakInfo(p), aboveBaseMB: mb(p.peakBytes - before), heapMB: heap() };
    console.error(JSON.stringify({ [name]: out.parts[name] }));
  }
}
console.log(JSON.stringify(out));
