// Gradient module used by pool.test.ts: mean squared error of a dense layer y ≈ x·W + b, through
// @tips/runtime's dense (so the workers exercise the fast ops path). Plain CommonJS: workers import
// it as is. A shard is { x: Float32Array, y: Float32Array, rows, fail? }.
const tf = require('@tensorflow/tfjs-core');
const { dense } = require('@tips/runtime');

/** Loss and gradients of one shard at weights W [inDim, outDim], b [outDim]; shared with the test's reference. */
function shardGradients(shard, W, b) {
  return tf.tidy(() => {
    const inDim = W.shape[0];
    const outDim = W.shape[1];
    const x = tf.tensor2d(shard.x, [shard.rows, inDim]);
    const y = tf.tensor2d(shard.y, [shard.rows, outDim]);
    const f = (w, bb) => tf.mean(tf.square(tf.sub(dense(x, w, bb), y)));
    const loss = f(W, b);
    const [gW, gb] = tf.grads(f)([W, b]);
    return { loss: loss.dataSync()[0], gW: gW.dataSync(), gb: gb.dataSync() };
  });
}

function checksum(arrays) {
  let s = 0;
  let h = 2166136261;
  for (const a of arrays) {
    const u = new Uint32Array(a.buffer, a.byteOffset, a.length);
    for (let i = 0; i < a.length; i++) {
      s += a[i];
      h = Math.imul(h ^ u[i], 16777619) >>> 0;
    }
  }
  return { sum: s, hash: h };
}

let setupCalls = 0;

module.exports = {
  shardGradients,
  checksum,
  setup(ctx) {
    setupCalls++;
    if (ctx.init && ctx.init.failSetup) throw new Error('setup refused on purpose');
  },
  computeGradients(shard, weights, ctx) {
    if (shard.fail) throw new Error(`shard ${ctx.index} failed on purpose`);
    const r = shardGradients(shard, weights.tensor('W'), weights.tensor('b'));
    const c = checksum([weights.array('W'), weights.array('b')]);
    return {
      grads: { W: tf.tensor(r.gW, weights.shape('W')), b: r.gb },
      weight: shard.rows,
      metrics: { loss: r.loss, wsum: c.sum, whash: c.hash, version: weights.version, setupCalls, index: ctx.index, count: ctx.count },
    };
  },
  // Sharded SGD (lr from init): every worker updates its own segment of the shared weights in place.
  applyUpdate(segment, ctx) {
    const lr = ctx.init.lr;
    for (let i = 0; i < segment.weights.length; i++) segment.weights[i] = segment.weights[i] - lr * segment.grads[i];
  },
};
