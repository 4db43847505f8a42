import * as tf from '@tensorflow/tfjs-core';
import { ParamStore, Rng, dense, gelu } from '@tips/runtime';
import { sigLoss, upsampleBilinear } from '@tips/eval';

/**
 * A small DPT-style depth decoder (Ranftl et al. 2021) on a frozen TIPS image tower, written against
 * the `Head` interface of @tips/trainer. It reads intermediate blocks (`layers`), reassembles each
 * block's tokens into a feature map (DPT's "project" readout: token ⊕ CLS → linear → GELU, then a
 * 1×1 projection), resamples the maps to a pyramid (deepest block coarsest), fuses them top-down with
 * residual units, and predicts positive depth at twice the coarsest resolution of the pyramid.
 * (Real DPT uses 3×3 convolutions and transposed convolutions; this one keeps to per-pixel layers
 * and bilinear resampling so that it trains fast on CPU.)
 *
 * @implements {import('@tips/trainer').Head<{ depth: tf.Tensor3D }>}
 */
export class DptDepthHead {
  kind = 'example-dpt-depth';

  /** Parameter names and shapes of a head with this config. */
  static specs(config) {
    const { embedDim: D, features: F = 32, layers } = config;
    const specs = layers.flatMap((_, i) => [
      { name: `reassemble.${i}.readout.weight`, shape: [2 * D, D] }, { name: `reassemble.${i}.readout.bias`, shape: [D] },
      { name: `reassemble.${i}.project.weight`, shape: [D, F] }, { name: `reassemble.${i}.project.bias`, shape: [F] },
      { name: `fusion.${i}.weight`, shape: [F, F] }, { name: `fusion.${i}.bias`, shape: [F] },
    ]);
    specs.push({ name: 'head.0.weight', shape: [F, F] }, { name: 'head.0.bias', shape: [F] }, { name: 'head.1.weight', shape: [F, 1] }, { name: 'head.1.bias', shape: [1] });
    return specs;
  }

  /**
   * @param {{ embedDim: number, layers: number[], features?: number }} config
   * @param {{ seed?: number, params?: ParamStore }} [options] loaded parameters, or a seed for fresh ones
   */
  constructor(config, options = {}) {
    this.cfg = { features: 32, ...config };
    this.layers = this.cfg.layers; // blocks the encoder must return, shallow → deep
    const rng = new Rng(options.seed ?? 0); // PyTorch's default init: U(±1/√fan_in), zero biases
    this.params = options.params ?? ParamStore.init(DptDepthHead.specs(this.cfg), (s) => s.name.endsWith('.bias') ? new Float32Array(s.shape[0]) : new Float32Array(s.shape[0] * s.shape[1]).map(() => (2 * rng.uniform() - 1) / Math.sqrt(s.shape[0])));
  }

  p(name) { return this.params.get(name); }

  /** @param {import('@tips/trainer').EncoderFeatures} f @returns {tf.Tensor3D} depth [B, 2·2^(n−1)·h, 2·2^(n−1)·w] */
  forward(f) {
    const [h, w] = f.grid;
    const n = this.layers.length;
    return tf.tidy(() => {
      let fused = null;
      for (let i = n - 1; i >= 0; i--) {
        const l = f.layers[i]; // intermediate outputs, in the order of `layers`
        const cls = tf.broadcastTo(tf.expandDims(l.cls1, 1), l.patches.shape);
        let x = gelu(dense(tf.concat([l.patches, cls], -1), this.p(`reassemble.${i}.readout.weight`), this.p(`reassemble.${i}.readout.bias`)));
        x = tf.reshape(dense(x, this.p(`reassemble.${i}.project.weight`), this.p(`reassemble.${i}.project.bias`)), [l.patches.shape[0], h, w, this.cfg.features]);
        const size = [h * 2 ** (n - 1 - i), w * 2 ** (n - 1 - i)];
        x = upsampleBilinear(x, size);
        if (fused) x = tf.add(x, upsampleBilinear(fused, size));
        fused = tf.relu(tf.add(x, dense(tf.relu(x), this.p(`fusion.${i}.weight`), this.p(`fusion.${i}.bias`)))); // residual unit
      }
      const [B, H, W] = fused.shape;
      const up = upsampleBilinear(fused, [2 * H, 2 * W]);
      const d = dense(tf.relu(dense(up, this.p('head.0.weight'), this.p('head.0.bias'))), this.p('head.1.weight'), this.p('head.1.bias'));
      return tf.reshape(tf.add(tf.softplus(d), 1e-3), [B, 2 * H, 2 * W]);
    });
  }

  /** Scale-invariant log loss against the ground truth (0 = unknown), after resizing the prediction. */
  loss(pred, target) {
    const [B, H, W] = target.depth.shape;
    return tf.tidy(() => sigLoss(tf.reshape(upsampleBilinear(tf.expandDims(pred, -1), [H, W]), [B, H, W]), target.depth));
  }

  config() { return { ...this.cfg }; }
}
