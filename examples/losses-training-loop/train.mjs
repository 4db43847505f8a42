import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { clipLoss, dinoLoss, DinoHead, LogitScale, TeacherCentre } from '@tips/losses';

await tf.setBackend('cpu');
const images = tf.randomNormal([64, 32], 0, 1, 'float32', 1); // 64 image/text pairs of toy features
const texts = tf.matMul(images, tf.randomNormal([32, 24], 0, 0.3, 'float32', 2));
const wImg = tf.variable(tf.randomNormal([32, 16], 0, 0.2, 'float32', 3)); // toy image encoder
const wTxt = tf.variable(tf.randomNormal([24, 16], 0, 0.2, 'float32', 4)); // toy text encoder
const scale = new LogitScale(); // learnable CLIP temperature, exp(param) ≤ 100
const student = new DinoHead({ inDim: 16, outDim: 32, hiddenDim: 32, bottleneckDim: 8, seed: 5 });
const teacher = DinoHead.fromTorch(student.toTorch(), { trainable: false }); // EMA copy
const centre = new TeacherCentre({ dim: 32 });
const opt = tf.train.adam(0.02);
for (let step = 0; step <= 100; step++) {
  const tLogits = tf.tidy(() => teacher.apply(tf.matMul(images, wImg))); // teacher: the clean view
  const targets = centre.softmaxCentred(tLogits, 0.04);
  centre.update(tLogits);
  const loss = opt.minimize(() => {
    const img = tf.matMul(images, wImg);
    const crop = tf.matMul(tf.add(images, tf.randomNormal([64, 32], 0, 0.5, 'float32', step)), wImg); // a noisy view
    return tf.add(clipLoss(img, tf.matMul(texts, wTxt), { logitScale: scale.value() }), dinoLoss(student.apply(crop), targets));
  }, true);
  scale.clamp();
  tf.tidy(() => student.params.forEach((v, k) => teacher.params.get(k).assign(tf.add(tf.mul(teacher.params.get(k), 0.99), tf.mul(v, 0.01)))));
  if (step % 20 === 0) console.log(JSON.stringify({ step, loss: loss.dataSync()[0], tensors: tf.memory().numTensors }));
  tf.dispose([tLogits, targets, loss]);
}
