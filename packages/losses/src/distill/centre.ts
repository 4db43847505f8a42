import * as tf from '@tensorflow/tfjs-core';
import { LossError } from '../errors';
import { expectInRange, expectInt, expectPositive, formatShape } from '../util/check';
import { stopGradient } from '../util/ops';
import { softmaxLast } from '../util/reduce';

export interface TeacherCentreOptions {
  /** Number of prototypes K (the last axis of the teacher logits). */
  dim: number;
  /** EMA momentum m of the centre update c ← m·c + (1−m)·batch mean (default 0.9, DINO/DINOv2/iBOT). */
  momentum?: number;
  /** tfjs variable name (unique among live variables); default chosen by tfjs. */
  name?: string;
}

/**
 * The teacher's running centre for DINO-style softmax centring (DINOv2 `DINOLoss.center`,
 * `iBOTPatchLoss.center`): targets = softmax((teacher − c)/τ_t), and after each step
 * c ← m·c + (1−m)·mean of the teacher logits over the batch (and patch tokens).
 *
 * Use one instance for the CLS head (DINO) and another for the patch head (iBOT): each has its own
 * centre. `center` is a [1, K] `tf.Variable` (non-trainable) the trainer checkpoints; `dispose()`
 * frees it.
 */
export class TeacherCentre {
  readonly center: tf.Variable;
  readonly dim: number;
  readonly momentum: number;

  constructor(options: TeacherCentreOptions) {
    expectInt(options.dim, 1, 'TeacherCentre dim');
    this.dim = options.dim;
    this.momentum = options.momentum ?? 0.9;
    expectInRange(this.momentum, 0, 1, 'TeacherCentre momentum');
    this.center = tf.tidy(() => tf.variable(tf.zeros([1, this.dim]), false, options.name));
  }

  /**
   * softmax((teacherLogits − c)/temperature) over the last axis, for teacher logits [..., K]. The result
   * carries no gradient (a target). Returns a new tensor the caller disposes.
   */
  softmaxCentred(teacherLogits: tf.Tensor, temperature: number): tf.Tensor {
    this.checkLogits(teacherLogits, 'softmaxCentred');
    expectPositive(temperature, 'TeacherCentre.softmaxCentred temperature');
    return tf.tidy(() => stopGradient(softmaxLast(tf.div(tf.sub(teacherLogits, tf.reshape(this.center, [this.dim])), temperature))));
  }

  /**
   * c ← m·c + (1−m)·mean(teacher logits) over every leading position of teacherLogits [..., K], or
   * only over the positions where `mask` (shape = the leading dims, bool or 0/1) is set — e.g. the
   * masked patch tokens for iBOT. With a mask that selects nothing the centre is left as it is.
   * Does not dispose its inputs.
   */
  update(teacherLogits: tf.Tensor, mask?: tf.Tensor): void {
    this.checkLogits(teacherLogits, 'update');
    tf.tidy(() => {
      const rows = tf.reshape(teacherLogits, [-1, this.dim]);
      let batchMean: tf.Tensor;
      let next: tf.Tensor;
      if (mask) {
        if (mask.size * this.dim !== teacherLogits.size) {
          throw new LossError('shape', `TeacherCentre.update: mask ${formatShape(mask.shape)} must have the leading shape of the teacher logits ${formatShape(teacherLogits.shape)}`);
        }
        const m = tf.reshape(tf.cast(mask, 'float32'), [-1, 1]);
        const count = tf.sum(m);
        batchMean = tf.div(tf.sum(tf.mul(rows, m), 0, true), tf.maximum(count, 1));
        const updated = tf.add(tf.mul(this.center, this.momentum), tf.mul(batchMean, 1 - this.momentum));
        next = tf.where(tf.greater(count, 0), updated, this.center);
      } else {
        batchMean = tf.mean(rows, 0, true);
        next = tf.add(tf.mul(this.center, this.momentum), tf.mul(batchMean, 1 - this.momentum));
      }
      this.center.assign(next);
    });
  }

  /** Sets the centre from K numbers (any shape with K elements, e.g. DINOv2's [1, K] or [1, 1, K] buffer). */
  load(values: tf.Tensor | ArrayLike<number>): void {
    const n = values instanceof tf.Tensor ? values.size : values.length;
    if (n !== this.dim) throw new LossError('checkpoint', `TeacherCentre.load: got ${n} numbers, the centre has ${this.dim}`);
    tf.tidy(() => this.center.assign(values instanceof tf.Tensor ? tf.reshape(tf.cast(values, 'float32'), [1, this.dim]) : tf.tensor2d(Float32Array.from(values), [1, this.dim])));
  }

  dispose(): void {
    this.center.dispose();
  }

  private checkLogits(t: tf.Tensor, fn: string): void {
    if (t.rank < 1 || t.shape[t.rank - 1] !== this.dim) {
      throw new LossError('shape', `TeacherCentre.${fn}: teacher logits ${formatShape(t.shape)} must end in K = ${this.dim}`);
    }
  }
}
