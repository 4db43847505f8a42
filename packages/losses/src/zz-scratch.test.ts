import * as tf from '@tensorflow/tfjs-core';
import { useTestBackend, pseudoRandom } from './test-utils';
import { clipLoss } from './clip/softmax';
import { sigLipLoss } from './clip/sigmoid';
beforeAll(useTestBackend);
test('perf', async () => {
  const B = 4096, D = 8;
  const img = pseudoRandom(B * D, 21);
  const I = tf.tensor2d(Float32Array.from(img), [B, D]);
  const T = tf.tensor2d(Float32Array.from(pseudoRandom(B * D, 2)), [B, D]);
  let t0 = Date.now(); clipLoss(I, T, { logitScale: 100 }).dataSync(); console.log('fwd', Date.now() - t0);
  t0 = Date.now(); const g = tf.grads((a: tf.Tensor, b: tf.Tensor) => clipLoss(a as tf.Tensor2D, b as tf.Tensor2D, { logitScale: 100 }))([I, T]); g[0]!.dataSync(); console.log('grad', Date.now() - t0);
  t0 = Date.now(); sigLipLoss(I, T, { logitScale: 100, logitBias: -10 }).dataSync(); console.log('sig', Date.now() - t0);
  t0 = Date.now(); const x = new Float64Array(B*B); for (let i=0;i<B;i++) for (let j=0;j<B;j++){let s=0; for(let d=0;d<D;d++) s+=img[i*D+d]!*img[j*D+d]!; x[i*B+j]=s;} console.log('js', Date.now() - t0, x[5]);
});
