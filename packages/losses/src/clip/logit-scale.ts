import * as tf from '@tensorflow/tfjs-core';
import { expectPositive } from '../util/check';
import { LossError } from '../errors';

export interface LogitScaleOptions {
  /** Initial scale (not its log). Default 1/0.07 ≈ 14.29 (CLIP, open_clip `init_logit_scale = log(1/0.07)`). */
  init?: number;
  /** Largest scale allowed; default 100 (open_clip clamps `logit_scale` to [0, ln 100] after each step). */
  max?: number;
  /** Whether the optimiser may train it (default true). */
  trainable?: boolean;
  /** tfjs variable name (must be unique among live variables); default chosen by tfjs. */
  name?: string;
}

/**
 * The learnable contrastive temperature, stored as its log as CLIP/open_clip do:
 * `scale = exp(param)`, `param` initialised to ln(init) and clamped to [0, ln max] (scale in [1, max]).
 *
 * `value()` gives exp(min(param, ln max)) as a scalar for the loss (differentiable w.r.t. `param`;
 * the caller disposes it). Call `clamp()` after each optimiser step, as open_clip's training loop does.
 * `param` is a `tf.Variable` the caller may checkpoint or EMA; `dispose()` frees it.
 */
export class LogitScale {
  readonly param: tf.Variable;
  readonly max: number;

  constructor(options: LogitScaleOptions = {}) {
    const init = options.init ?? 1 / 0.07;
    this.max = options.max ?? 100;
    expectPositive(init, 'LogitScale init');
    expectPositive(this.max, 'LogitScale max');
    if (this.max < 1) throw new LossError('value', `LogitScale max must be ≥ 1 (the clamp keeps log-scale ≥ 0), got ${this.max}`);
    if (init > this.max) throw new LossError('value', `LogitScale init ${init} is above max ${this.max}; raise max or lower init`);
    this.param = tf.tidy(() => tf.variable(tf.scalar(Math.log(init)), options.trainable ?? true, options.name));
  }

  /** exp(min(param, ln max)) as a new scalar the caller disposes. */
  value(): tf.Scalar {
    return logitScaleFromParam(this.param as tf.Scalar, this.max);
  }

  /** Clamps `param` in place to [0, ln max] (open_clip: `logit_scale.clamp_(0, math.log(100))`). */
  clamp(): void {
    tf.tidy(() => this.param.assign(tf.clipByValue(this.param, 0, Math.log(this.max))));
  }

  dispose(): void {
    this.param.dispose();
  }
}

/**
 * exp(min(param, ln max)) for a log-parameterised scale held elsewhere (e.g. a checkpoint's
 * `logit_scale` or TIPS's `temperature`). Differentiable; returns a new scalar the caller disposes.
 */
export function logitScaleFromParam(param: tf.Scalar, max = 100): tf.Scalar {
  return tf.tidy(() => tf.exp(tf.minimum(param, Math.log(max))) as tf.Scalar);
}
