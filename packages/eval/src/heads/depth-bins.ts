import * as tf from '@tensorflow/tfjs-core';
import { dense, ParamStore, type ParamSpec } from '@tips/runtime';
import type { EncoderFeatures, Head } from '@tips/trainer';
import { EvalInputError } from '../errors';
import { upsampleBilinear } from '../ops/bilinear';
import { seedRng, torchDefaultInit } from './init';
import { sigLoss } from './losses';
import { binsExpectation } from './bins-readout';

/** Batch target of a depth head: metric depth [B, H, W] (float32), 0 where unknown. */
export interface DepthTarget {
  depth: tf.Tensor3D;
}

export type { BinsReadout as DepthReadout } from './bins-readout';
import type { BinsReadout as DepthReadout } from './bins-readout';

export interface DepthBinsConfig {
  embedDim: number;
  /** Depth bins (DINOv2: 256). */
  bins?: number;
  /** Range of the uniformly spaced bins ('UD'); DINOv2 NYUv2: 0.001 to 10 m. */
  minDepth?: number;
  maxDepth?: number;
  /** 'linear' (DINOv2's default, after AdaBins: relu + 0.1, normalised) or 'softmax'. */
  readout?: DepthReadout;
  /** Upsampling of the logits before the readout (DINOv2: 4). */
  upsample?: number;
  /** Concatenate the first CLS token to every patch token (DINOv2 and TIPS: yes). */
  useCls?: boolean;
}

export const DEPTH_BINS_KIND = 'depth-bins';

function resolved(c: DepthBinsConfig): Required<DepthBinsConfig> {
  return {
    embedDim: c.embedDim,
    bins: c.bins ?? 256,
    minDepth: c.minDepth ?? 1e-3,
    maxDepth: c.maxDepth ?? 10,
    readout: c.readout ?? 'linear',
    upsample: c.upsample ?? 4,
    useCls: c.useCls ?? true,
  };
}

function specs(c: Required<DepthBinsConfig>): ParamSpec[] {
  const inDim = c.useCls ? 2 * c.embedDim : c.embedDim;
  return [
    { name: 'conv_depth.weight', shape: [inDim, c.bins], transpose: true },
    { name: 'conv_depth.bias', shape: [c.bins] },
  ];
}

/**
 * DINOv2's linear depth probe (`_make_dinov2_linear_depth_head` in dinov2/hub/depthers.py with one
 * layer; BNHead/DepthBaseDecodeHead in dinov2/hub/depth/decode_heads.py), which TIPS §4 uses on
 * NYUv2: each patch token of the last layer is concatenated with the CLS token, a 1×1 convolution
 * gives 256 logits per patch over uniformly spaced depth bins (linspace(minDepth, maxDepth)), the
 * map is upsampled ×4 bilinearly, and the logits become a distribution over bins — 'linear':
 * relu(l) + 0.1 normalised to sum 1 (AdaBins), or 'softmax' — whose expectation is the depth.
 * Trained with DINOv2's SigLoss on the prediction resized to the ground truth. (Bilinear
 * upsampling and the 1×1 convolution are both linear, so upsampling the logits equals DINOv2's
 * upsampling of the features first.) The weight starts from PyTorch's default Conv2d init.
 *
 * forward → depth [B, upsample·h, upsample·w]; loss resizes it to the target size.
 */
export class DepthBinsHead implements Head<DepthTarget> {
  readonly kind = DEPTH_BINS_KIND;
  readonly cfg: Required<DepthBinsConfig>;
  private readonly binCentres: Float32Array;

  constructor(config: DepthBinsConfig, readonly params: ParamStore) {
    this.cfg = resolved(config);
    const { bins, minDepth, maxDepth } = this.cfg;
    this.binCentres = new Float32Array(bins).map((_, k) => (bins === 1 ? minDepth : minDepth + ((maxDepth - minDepth) * k) / (bins - 1)));
  }

  static create(config: DepthBinsConfig, seed?: number): DepthBinsHead {
    const c = resolved(config);
    if (!(c.maxDepth > c.minDepth && c.minDepth >= 0)) throw new EvalInputError(`depth range must satisfy 0 ≤ minDepth < maxDepth, got ${c.minDepth}..${c.maxDepth}`);
    if (!(Number.isInteger(c.bins) && c.bins >= 2)) throw new EvalInputError(`depth bins must be an integer ≥ 2, got ${c.bins}`);
    if (!(Number.isInteger(c.upsample) && c.upsample >= 1)) throw new EvalInputError(`upsample must be a positive integer, got ${c.upsample}`);
    const inDim = c.useCls ? 2 * c.embedDim : c.embedDim;
    return new DepthBinsHead(c, ParamStore.init(specs(c), torchDefaultInit(seedRng(seed, DEPTH_BINS_KIND), inDim)));
  }

  static specs(config: DepthBinsConfig): ParamSpec[] {
    return specs(resolved(config));
  }

  /** Bin logits on the patch grid [B, h, w, bins]. */
  logits(f: EncoderFeatures): tf.Tensor4D {
    const [h, w] = f.grid;
    const { embedDim: D, bins, useCls } = this.cfg;
    const B = f.patches.shape[0];
    if (f.patches.shape[2] !== D) throw new EvalInputError(`the depth probe expects ${D}-d patch tokens, got ${f.patches.shape[2]}`);
    return tf.tidy(() => {
      const W = this.params.get('conv_depth.weight') as tf.Tensor2D;
      const b = this.params.get('conv_depth.bias') as tf.Tensor1D;
      // [patch ⊕ cls]·W = patch·W_p + cls·W_c: no [B, N, 2D] concatenation needed.
      let l: tf.Tensor = dense(f.patches, useCls ? (tf.slice(W, [0, 0], [D, bins]) as tf.Tensor2D) : W, b);
      if (useCls) l = tf.add(l, tf.expandDims(dense(f.cls1, tf.slice(W, [D, 0], [D, bins]) as tf.Tensor2D), 1));
      return tf.reshape(l, [B, h, w, bins]) as tf.Tensor4D;
    });
  }

  forward(f: EncoderFeatures): tf.Tensor3D {
    const [h, w] = f.grid;
    const up = this.cfg.upsample;
    return tf.tidy(() => {
      let l = this.logits(f);
      if (up > 1) l = upsampleBilinear(l, [h * up, w * up]);
      const [B, H, W, K] = l.shape;
      const depth = binsExpectation(tf.reshape(l, [B * H * W, K]) as tf.Tensor2D, this.binCentres, this.cfg.readout);
      return tf.reshape(depth, [B, H, W]) as tf.Tensor3D;
    });
  }

  loss(pred: tf.Tensor, target: DepthTarget): tf.Scalar {
    return tf.tidy(() => sigLoss(this.resize(pred as tf.Tensor3D, [target.depth.shape[1], target.depth.shape[2]]), target.depth));
  }

  /** Depth [B, H, W] at size `size`. The caller disposes. */
  predict(f: EncoderFeatures, size: [number, number]): tf.Tensor3D {
    return tf.tidy(() => this.resize(this.forward(f), size));
  }

  private resize(d: tf.Tensor3D, size: [number, number]): tf.Tensor3D {
    const [B, h, w] = d.shape;
    if (h === size[0] && w === size[1]) return d;
    return tf.reshape(upsampleBilinear(tf.reshape(d, [B, h, w, 1]) as tf.Tensor4D, size), [B, size[0], size[1]]) as tf.Tensor3D;
  }

  config(): Record<string, unknown> {
    return { ...this.cfg };
  }
}
