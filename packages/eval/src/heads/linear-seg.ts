import * as tf from '@tensorflow/tfjs-core';
import { dense, ParamStore, type ParamSpec } from '@tips/runtime';
import type { EncoderFeatures, Head } from '@tips/trainer';
import { EvalInputError } from '../errors';
import { DEFAULT_IGNORE_INDEX } from '../metrics/confusion';
import { upsampleBilinear } from '../ops/bilinear';
import { normalInit, seedRng, weightsAndZeroBias } from './init';
import { segmentationCrossEntropy } from './losses';

/** Batch target of a segmentation head: class ids [B, H, W] (int32), `ignoreIndex` where unlabelled. */
export interface SegTarget {
  labels: tf.Tensor3D;
}

export interface LinearSegConfig {
  embedDim: number;
  numClasses: number;
  ignoreIndex?: number;
}

export const LINEAR_SEG_KIND = 'linear-seg';

function specs(c: LinearSegConfig): ParamSpec[] {
  return [
    { name: 'conv_seg.weight', shape: [c.embedDim, c.numClasses], transpose: true },
    { name: 'conv_seg.bias', shape: [c.numClasses] },
  ];
}

/**
 * DINOv2's linear semantic-segmentation probe ("lin.", Oquab et al. 2023 §7.4 and
 * dinov2/eval/segmentation configs; used by TIPS §4): a linear layer (1×1 convolution) maps each
 * frozen patch token of the last layer to class logits; the low-resolution logit map is resized
 * bilinearly (align_corners=False) to the label size and trained with pixel-wise cross-entropy that
 * ignores unlabelled pixels. The classifier starts from N(0, 0.01²), bias 0 (mmseg's decode heads).
 * DINOv2 puts a BatchNorm before the classifier; TIPS patch tokens come out of the final LayerNorm,
 * so this probe reads them directly (the BatchNorm's per-channel affine folds into the linear map).
 *
 * forward → logits [B, h, w, C] on the patch grid; loss upsamples them to the target's size.
 */
export class LinearSegHead implements Head<SegTarget> {
  readonly kind = LINEAR_SEG_KIND;
  readonly ignoreIndex: number;

  constructor(
    readonly cfg: LinearSegConfig,
    readonly params: ParamStore,
  ) {
    this.ignoreIndex = cfg.ignoreIndex ?? DEFAULT_IGNORE_INDEX;
  }

  static create(cfg: LinearSegConfig, seed?: number): LinearSegHead {
    if (!(cfg.numClasses >= 1 && cfg.embedDim >= 1)) throw new EvalInputError(`a segmentation probe needs embedDim ≥ 1 and numClasses ≥ 1, got ${JSON.stringify(cfg)}`);
    return new LinearSegHead(cfg, ParamStore.init(specs(cfg), weightsAndZeroBias(normalInit(seedRng(seed, LINEAR_SEG_KIND), 0.01))));
  }

  static specs(cfg: LinearSegConfig): ParamSpec[] {
    return specs(cfg);
  }

  forward(f: EncoderFeatures): tf.Tensor4D {
    const [h, w] = f.grid;
    const B = f.patches.shape[0];
    if (f.patches.shape[2] !== this.cfg.embedDim) throw new EvalInputError(`the segmentation probe expects ${this.cfg.embedDim}-d patch tokens, got ${f.patches.shape[2]}`);
    return tf.tidy(() =>
      tf.reshape(dense(f.patches, this.params.get('conv_seg.weight') as tf.Tensor2D, this.params.get('conv_seg.bias') as tf.Tensor1D), [B, h, w, this.cfg.numClasses]),
    ) as tf.Tensor4D;
  }

  loss(logits: tf.Tensor, target: SegTarget): tf.Scalar {
    return tf.tidy(() => {
      const [, H, W] = target.labels.shape;
      const up = upsampleBilinear(logits as tf.Tensor4D, [H, W]);
      return segmentationCrossEntropy(up, target.labels, this.ignoreIndex);
    });
  }

  /** Class ids [B, H, W] at label size `size` (argmax of the upsampled logits). The caller disposes. */
  predict(f: EncoderFeatures, size: [number, number]): tf.Tensor3D {
    return tf.tidy(() => tf.argMax(upsampleBilinear(this.forward(f), size), -1) as tf.Tensor3D);
  }

  config(): Record<string, unknown> {
    return { embedDim: this.cfg.embedDim, numClasses: this.cfg.numClasses, ignoreIndex: this.ignoreIndex };
  }
}
