import * as tf from '@tensorflow/tfjs-core';
import { LossError } from '../errors';
import { clipLoss } from './softmax';
import { sigLipLoss } from './sigmoid';
import type { ScalarLike } from './logits';

export interface TipsContrastiveInputs {
  /** First CLS token of the image tower [B, D]; pairs with the web (alt-text) caption. */
  cls1: tf.Tensor2D;
  /** Text embedding of the web caption [B, D]. */
  webText: tf.Tensor2D;
  /** Second CLS token (the register token) [B, D]; pairs with the synthetic caption. */
  cls2: tf.Tensor2D;
  /** Text embedding of the synthetic caption [B, D]. */
  syntheticText: tf.Tensor2D;
}

export interface TipsContrastiveOptions {
  /** 'softmax' (CLIP, default) or 'sigmoid' (SigLIP). */
  kind?: 'softmax' | 'sigmoid';
  /** Scale for both terms (e.g. `logitScale.value()`). */
  logitScale: ScalarLike;
  /** Bias for both terms; required for 'sigmoid'. */
  logitBias?: ScalarLike;
  /** Scale for the synthetic term if it has its own temperature; default `logitScale`. */
  syntheticLogitScale?: ScalarLike;
  /** Bias for the synthetic term if it has its own; default `logitBias`. */
  syntheticLogitBias?: ScalarLike;
  /** Weights of the two terms in `total` (default 1 and 1, the TIPS objective). */
  weights?: { web?: number; synthetic?: number };
  /** Label smoothing for 'softmax' (default 0). */
  labelSmoothing?: number;
}

export interface TipsContrastiveResult {
  /** Unweighted contrastive loss of (cls1, web caption). */
  web: tf.Scalar;
  /** Unweighted contrastive loss of (cls2, synthetic caption). */
  synthetic: tf.Scalar;
  /** weights.web·web + weights.synthetic·synthetic. */
  total: tf.Scalar;
}

/**
 * The TIPS dual image-text objective: CLIP(cls1, web caption) + CLIP(cls2, synthetic caption), each
 * term with its own weight. Returns three new scalars; the caller disposes all of them (e.g. return
 * `total` from an optimiser's loss function inside a tf.tidy and read/dispose the others).
 */
export function tipsContrastiveLoss(inputs: TipsContrastiveInputs, options: TipsContrastiveOptions): TipsContrastiveResult {
  const kind = options.kind ?? 'softmax';
  const wWeb = options.weights?.web ?? 1;
  const wSyn = options.weights?.synthetic ?? 1;
  for (const [k, w] of [['web', wWeb], ['synthetic', wSyn]] as const) {
    if (!Number.isFinite(w) || w < 0) throw new LossError('value', `tipsContrastiveLoss weights.${k} must be a finite number ≥ 0, got ${w}`);
  }
  const term = (image: tf.Tensor2D, text: tf.Tensor2D, scale: ScalarLike, bias: ScalarLike | undefined, what: string): tf.Scalar => {
    if (kind === 'softmax') return clipLoss(image, text, { logitScale: scale, labelSmoothing: options.labelSmoothing });
    if (kind !== 'sigmoid') throw new LossError('value', `tipsContrastiveLoss kind must be 'softmax' or 'sigmoid', got '${String(kind)}'`);
    if (bias === undefined) throw new LossError('value', `tipsContrastiveLoss: kind 'sigmoid' needs logitBias (${what} term); create one with createSigLipParams()`);
    return sigLipLoss(image, text, { logitScale: scale, logitBias: bias });
  };
  return tf.tidy(() => {
    const web = term(inputs.cls1, inputs.webText, options.logitScale, options.logitBias, 'web');
    const synthetic = term(
      inputs.cls2,
      inputs.syntheticText,
      options.syntheticLogitScale ?? options.logitScale,
      options.syntheticLogitBias ?? options.logitBias,
      'synthetic',
    );
    const total = tf.add(tf.mul(web, wWeb), tf.mul(synthetic, wSyn)) as tf.Scalar;
    return { web, synthetic, total };
  });
}
