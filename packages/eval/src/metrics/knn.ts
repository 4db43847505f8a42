import * as tf from '@tensorflow/tfjs-core';
import { EvalInputError } from '../errors';
import { argmaxRows } from './accuracy';
import { l2NormalizeRows } from './vectors';

export interface KnnOptions {
  /** Neighbours that vote (DINO default 20). */
  k?: number;
  /** Temperature of the vote weights exp(cos / T) (DINO: 0.07). */
  temperature?: number;
  /** Test rows per similarity block (memory bound). */
  chunk?: number;
}

export interface KnnResult {
  /** Predicted class of each test sample. */
  predictions: Int32Array;
  /** Summed vote weights [nTest, numClasses]. */
  votes: Float32Array;
}

/**
 * Weighted k-nearest-neighbour classification, as DINO's `knn_classifier` (Caron et al. 2021,
 * eval_knn.py; used unchanged by DINOv2): features are L2-normalised, the k training samples with
 * the highest cosine similarity vote for their class with weight exp(similarity / T), and the class
 * with the largest summed weight wins (ties: lower class index).
 * Inputs are row-major Float32 arrays [n, dim]; labels are class ids in 0..numClasses-1 (training
 * rows with a negative label are ignored). Tensors are created and freed inside.
 */
export function knnClassify(
  train: Float32Array,
  trainLabels: ArrayLike<number>,
  test: Float32Array,
  dim: number,
  numClasses: number,
  options: KnnOptions = {},
): KnnResult {
  const T = options.temperature ?? 0.07;
  const keepRows: number[] = [];
  for (let i = 0; i < trainLabels.length; i++) {
    const y = trainLabels[i]!;
    if (y >= numClasses || !Number.isInteger(y)) throw new EvalInputError(`training label ${y} (row ${i}) is outside 0..${numClasses - 1}`);
    if (y >= 0) keepRows.push(i);
  }
  if (train.length !== trainLabels.length * dim) throw new EvalInputError(`training features hold ${train.length} values for ${trainLabels.length} labels of dim ${dim}`);
  if (keepRows.length === 0) throw new EvalInputError('kNN needs at least one labelled training sample');
  if (!(T > 0)) throw new EvalInputError(`kNN temperature must be positive, got ${T}`);
  const nTrain = keepRows.length;
  const k = Math.min(options.k ?? 20, nTrain);
  const trainN = l2NormalizeRows(train, dim);
  const kept = new Float32Array(nTrain * dim);
  const labels = new Int32Array(nTrain);
  keepRows.forEach((r, i) => {
    kept.set(trainN.subarray(r * dim, (r + 1) * dim), i * dim);
    labels[i] = trainLabels[r]!;
  });
  const testN = l2NormalizeRows(test, dim);
  const nTest = testN.length / dim;
  const votes = new Float32Array(nTest * numClasses);
  const chunk = options.chunk ?? 256;
  // [dim, nTrain] once, so that every block is a plain (untransposed) matmul.
  const trainT = tf.tidy(() => tf.transpose(tf.tensor2d(kept, [nTrain, dim])));
  try {
    for (let s = 0; s < nTest; s += chunk) {
      const rows = Math.min(chunk, nTest - s);
      const { values, indices } = tf.tidy(() => {
        const sim = tf.matMul(tf.tensor2d(testN.subarray(s * dim, (s + rows) * dim), [rows, dim]), trainT as tf.Tensor2D);
        return tf.topk(sim, k, true);
      });
      const v = values.dataSync();
      const idx = indices.dataSync();
      tf.dispose([values, indices]);
      for (let r = 0; r < rows; r++) {
        for (let j = 0; j < k; j++) {
          const w = Math.exp(v[r * k + j]! / T);
          votes[(s + r) * numClasses + labels[idx[r * k + j]!]!]! += w;
        }
      }
    }
  } finally {
    trainT.dispose();
  }
  return { predictions: argmaxRows(votes, nTest, numClasses), votes };
}
