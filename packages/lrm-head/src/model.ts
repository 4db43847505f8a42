import * as tf from '@tensorflow/tfjs-core';
import type { VisionTransformer } from '@tips/vit-core';
import type { LrmConfig } from './config';
import { LrmConfigError, LrmInputError } from './errors';
import { LrmHead } from './head';

/**
 * An LRM: a TIPS image tower (the condition) and the LRM head. Owns both (dispose()).
 */
export class LrmModel {
  constructor(
    readonly config: LrmConfig,
    readonly encoder: VisionTransformer,
    readonly head: LrmHead,
  ) {
    if (encoder.config.embedDim !== config.encoderDim) {
      throw new LrmConfigError(`the image tower has width ${encoder.config.embedDim} but the LRM config says encoderDim ${config.encoderDim}`);
    }
    for (const l of config.encoderLayers) {
      const i = l < 0 ? encoder.config.depth + l : l;
      if (i < 0 || i >= encoder.config.depth) throw new LrmConfigError(`encoderLayers asks for block ${l}, but the tower has ${encoder.config.depth} blocks`);
    }
  }

  /**
   * Condition tokens of source images: NHWC [B, H, W, 3] in [0, 1] → resized (bilinear, half-pixel
   * centres) to encoderInput² → the tower's final patch tokens, with the patch tokens of
   * `encoderLayers` concatenated channel-wise: [B, N, D·(1 + layers)]. New tensor: caller disposes.
   */
  encode(images: tf.Tensor4D, options: { training?: boolean } = {}): tf.Tensor3D {
    if (images.rank !== 4 || images.shape[3] !== 3) throw new LrmInputError(`source images must be NHWC [B, H, W, 3]; got ${JSON.stringify(images.shape)}`);
    const S = this.config.encoderInput;
    return tf.tidy(() => {
      const x = images.shape[1] === S && images.shape[2] === S ? images : tf.image.resizeBilinear(images, [S, S], false, true);
      const layers = this.config.encoderLayers;
      const out = this.encoder.forward(x, { layers: layers.length ? layers : undefined, training: options.training ?? false });
      const parts = [out.patches, ...(out.layers ?? []).map((l) => l.patches)];
      return (parts.length === 1 ? parts[0]! : tf.concat(parts, 2)) as tf.Tensor3D;
    });
  }

  /** Triplanes [B, 3, R, R, C] from source images and their camera features [B, 16]. Caller disposes. */
  predict(images: tf.Tensor4D, cameras: tf.Tensor2D): tf.Tensor5D {
    return tf.tidy(() => this.head.triplanes(this.encode(images), cameras));
  }

  dispose(): void {
    this.encoder.dispose();
    this.head.dispose();
  }
}
