import * as tf from '@tensorflow/tfjs-core';
import { dense, ParamStore, type ParamSpec } from '@tips/runtime';
import type { EncoderFeatures, Head } from '@tips/trainer';
import { EvalInputError } from '../errors';
import { normalInit, seedRng, weightsAndZeroBias } from './init';
import { classificationCrossEntropy } from './losses';

/** Batch target of a classifier: class ids [B] (int32). */
export interface ClassTarget {
  labels: tf.Tensor1D;
}

/**
 * What the classifier reads: one of the CLS embeddings, or a CLS embedding concatenated with the
 * average of the patch tokens (DINOv2's linear evaluation option `avgpool`).
 */
export type ClassifierInput = 'cls1' | 'cls2' | 'cls1+avgpool';

export interface LinearClassifierConfig {
  embedDim: number;
  numClasses: number;
  input?: ClassifierInput;
}

export const LINEAR_CLASSIFIER_KIND = 'linear-classifier';

function inputDim(c: LinearClassifierConfig): number {
  return (c.input ?? 'cls1') === 'cls1+avgpool' ? 2 * c.embedDim : c.embedDim;
}

function specs(c: LinearClassifierConfig): ParamSpec[] {
  return [
    { name: 'linear.weight', shape: [inputDim(c), c.numClasses], transpose: true },
    { name: 'linear.bias', shape: [c.numClasses] },
  ];
}

/**
 * Linear classification probe on frozen features (DINOv2's `LinearClassifier`, dinov2/eval/linear.py:
 * a Linear layer initialised N(0, 0.01²) with zero bias, trained with cross-entropy). Reads the
 * first CLS token by default. forward → logits [B, C].
 */
export class LinearClassifierHead implements Head<ClassTarget> {
  readonly kind = LINEAR_CLASSIFIER_KIND;
  readonly input: ClassifierInput;

  constructor(
    readonly cfg: LinearClassifierConfig,
    readonly params: ParamStore,
  ) {
    this.input = cfg.input ?? 'cls1';
  }

  static create(cfg: LinearClassifierConfig, seed?: number): LinearClassifierHead {
    if (!(cfg.numClasses >= 2 && cfg.embedDim >= 1)) throw new EvalInputError(`a classifier needs embedDim ≥ 1 and at least 2 classes, got ${JSON.stringify(cfg)}`);
    return new LinearClassifierHead(cfg, ParamStore.init(specs(cfg), weightsAndZeroBias(normalInit(seedRng(seed, LINEAR_CLASSIFIER_KIND), 0.01))));
  }

  static specs(cfg: LinearClassifierConfig): ParamSpec[] {
    return specs(cfg);
  }

  forward(f: EncoderFeatures): tf.Tensor2D {
    return tf.tidy(() => {
      let x: tf.Tensor2D;
      if (this.input === 'cls2') x = f.cls2;
      else if (this.input === 'cls1+avgpool') x = tf.concat([f.cls1, tf.mean(f.patches, 1) as tf.Tensor2D], 1);
      else x = f.cls1;
      if (x.shape[1] !== inputDim(this.cfg)) throw new EvalInputError(`the classifier expects ${inputDim(this.cfg)}-d input, got ${x.shape[1]}`);
      return dense(x, this.params.get('linear.weight') as tf.Tensor2D, this.params.get('linear.bias') as tf.Tensor1D) as tf.Tensor2D;
    });
  }

  loss(logits: tf.Tensor, target: ClassTarget): tf.Scalar {
    return classificationCrossEntropy(logits as tf.Tensor2D, target.labels);
  }

  /** Predicted class ids [B]. The caller disposes. */
  predict(f: EncoderFeatures): tf.Tensor1D {
    return tf.tidy(() => tf.argMax(this.forward(f), -1) as tf.Tensor1D);
  }

  config(): Record<string, unknown> {
    return { embedDim: this.cfg.embedDim, numClasses: this.cfg.numClasses, input: this.input };
  }
}
