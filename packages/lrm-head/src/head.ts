import * as tf from '@tensorflow/tfjs-core';
import { dense, layerNorm, multiHeadAttention, silu, type ParamStore } from '@tips/runtime';
import { CAMERA_FEATURES } from './camera-features';
import { conditionDim, planeResolution, validateLrmConfig, type LrmConfig } from './config';
import { LrmInputError } from './errors';
import { initLrmHead, lrmHeadSpecs } from './params';
import { sampleTriplanes, triplaneTaps } from './triplane-sampler';
import { composite, type CompositeResult } from './volume';
import { sampleRays, type RayBatch } from './rays';
import type { Rng } from '@tips/runtime';

const LN_EPS = 1e-6;

/** LayerNorm without affine parameters over the last axis. */
function normalize(x: tf.Tensor): tf.Tensor {
  const { mean, variance } = tf.moments(x, -1, true);
  return tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, LN_EPS)));
}

/** Rays to render for a batch of triplanes: which triplane each ray reads and its background colour. */
export interface RenderRequest {
  rays: RayBatch;
  /** [rays] index of the batch element (triplane) of each ray. */
  scene: Int32Array;
  /** [rays·3] background colour of each ray. */
  background: Float32Array;
  /** Half-size of the scene cube the triplanes span (the dataset's `bound`). */
  bound: number;
}

/**
 * The LRM head: camera embedding, image-to-triplane transformer with camera-modulated LayerNorm,
 * deconvolution to feature planes, NeRF MLP and volume rendering (LRM, Hong et al. 2024, §3).
 * Owns its parameters (dispose()). Methods that return tensors hand them to the caller.
 */
export class LrmHead {
  constructor(
    readonly config: LrmConfig,
    readonly params: ParamStore,
  ) {
    validateLrmConfig(config);
  }

  static init(config: LrmConfig, seed: number | string = 0): LrmHead {
    validateLrmConfig(config);
    return new LrmHead(config, initLrmHead(config, seed));
  }

  specs() {
    return lrmHeadSpecs(this.config);
  }

  private p(name: string): tf.Tensor {
    return this.params.get(name);
  }

  private linear(x: tf.Tensor, name: string): tf.Tensor {
    return dense(x, this.p(`${name}.weight`) as tf.Tensor2D, this.p(`${name}.bias`) as tf.Tensor1D);
  }

  /** c̃ = MLP^cam(c): [B, 16] camera features → [B, cameraDim]. */
  embedCamera(cameras: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => this.linear(silu(this.linear(cameras, 'camera.mlp.0')), 'camera.mlp.2') as tf.Tensor2D);
  }

  /** ModLN_c(f) = LN(f)·(1 + γ) + β with [γ, β] = MLP^mod(c̃) (LRM eq. 2; MLP^mod = SiLU → Linear). */
  private modLN(x: tf.Tensor3D, camEmb: tf.Tensor2D, name: string): tf.Tensor3D {
    const W = this.config.width;
    const gb = this.linear(silu(camEmb), `${name}.mod`); // [B, 2W]
    const B = camEmb.shape[0];
    const gamma = tf.reshape(tf.slice(gb, [0, 0], [B, W]), [B, 1, W]);
    const beta = tf.reshape(tf.slice(gb, [0, W], [B, W]), [B, 1, W]);
    return tf.add(tf.mul(normalize(x), tf.add(1, gamma)), beta) as tf.Tensor3D;
  }

  /**
   * Image tokens [B, N, condDim] and camera features [B, 16] → triplanes [B, 3, R, R, C] (R = r·s).
   * Each layer: f ← f + CrossAttn(ModLN(f); image tokens); f ← f + SelfAttn(ModLN(f));
   * f ← f + MLP(ModLN(f)) (LRM eq. 3–5); then LayerNorm and ConvTranspose2d(k = s, stride = s).
   */
  triplanes(tokens: tf.Tensor3D, cameras: tf.Tensor2D): tf.Tensor5D {
    const c = this.config;
    const [B, N, Dc] = tokens.shape;
    if (Dc !== conditionDim(c)) throw new LrmInputError(`image tokens have width ${Dc} but the head expects ${conditionDim(c)} (encoderDim ${c.encoderDim} × ${1 + c.encoderLayers.length} layers)`);
    if (cameras.shape[0] !== B || cameras.shape[1] !== CAMERA_FEATURES) throw new LrmInputError(`cameras must be [${B}, ${CAMERA_FEATURES}] (see cameraFeatures); got ${JSON.stringify(cameras.shape)}`);
    const W = c.width;
    const r = c.triplaneTokens;
    const T = 3 * r * r;
    return tf.tidy(() => {
      const cam = this.embedCamera(cameras);
      const cond = this.linear(tokens, 'cond.proj') as tf.Tensor3D; // [B, N, W]
      let f = tf.broadcastTo(this.p('pos_embed'), [B, T, W]) as tf.Tensor3D;
      for (let i = 0; i < c.depth; i++) {
        const l = `layers.${i}`;
        // Cross-attention to the image tokens.
        const q = this.linear(this.modLN(f, cam, `${l}.norm1`), `${l}.cross.q`) as tf.Tensor3D;
        const kv = this.linear(cond, `${l}.cross.kv`);
        const k = tf.slice(kv, [0, 0, 0], [B, N, W]) as tf.Tensor3D;
        const v = tf.slice(kv, [0, 0, W], [B, N, W]) as tf.Tensor3D;
        f = tf.add(f, this.linear(multiHeadAttention(q, k, v, { heads: c.heads }), `${l}.cross.proj`)) as tf.Tensor3D;
        // Self-attention among the triplane tokens.
        const qkv = this.linear(this.modLN(f, cam, `${l}.norm2`), `${l}.self.qkv`);
        const [sq, sk, sv] = tf.split(qkv, 3, -1) as [tf.Tensor3D, tf.Tensor3D, tf.Tensor3D];
        f = tf.add(f, this.linear(multiHeadAttention(sq, sk, sv, { heads: c.heads }), `${l}.self.proj`)) as tf.Tensor3D;
        // MLP.
        const h = tf.relu(this.linear(this.modLN(f, cam, `${l}.norm3`), `${l}.mlp.fc1`));
        f = tf.add(f, this.linear(h, `${l}.mlp.fc2`)) as tf.Tensor3D;
      }
      const normed = layerNorm(f, this.p('norm.weight') as tf.Tensor1D, this.p('norm.bias') as tf.Tensor1D, LN_EPS);
      return deconvolve(normed as tf.Tensor3D, this.p('deconv.weight') as tf.Tensor2D, this.p('deconv.bias') as tf.Tensor1D, B, r, c.upsample, c.planeChannels);
    });
  }

  /**
   * The radiance field at sample points: triplane features (bilinear, see sampleTriplanes) →
   * concatenated or summed → MLP → σ = densityScale·softplus(raw + densityBias) ≥ 0 and RGB = sigmoid.
   */
  field(planes: tf.Tensor5D, points: Float32Array, batchOf: (p: number) => number, bound: number): { sigma: tf.Tensor1D; rgb: tf.Tensor2D } {
    const c = this.config;
    return tf.tidy(() => {
      const taps = triplaneTaps(points, batchOf, planeResolution(c), bound);
      const feats = sampleTriplanes(planes, taps); // [P, 3, C]
      const P = taps.points;
      let h: tf.Tensor = c.aggregate === 'concat' ? tf.reshape(feats, [P, 3 * c.planeChannels]) : tf.sum(feats, 1);
      for (let k = 0; k < c.nerfLayers; k++) h = silu(this.linear(h, `nerf.layers.${k}`));
      const out = this.linear(h, 'nerf.out');
      const sigma = tf.mul(tf.softplus(tf.add(tf.reshape(tf.slice(out, [0, 0], [P, 1]), [P]), c.densityBias)), c.densityScale) as tf.Tensor1D;
      const rgb = tf.sigmoid(tf.slice(out, [0, 1], [P, 3])) as tf.Tensor2D;
      return { sigma, rgb };
    });
  }

  /**
   * Volume-renders rays through a batch of triplanes: stratified samples in the scene cube (jittered
   * with `rng`, bin centres when null), field, compositing. Returns new tensors (caller disposes).
   */
  render(planes: tf.Tensor5D, request: RenderRequest, rng: Rng | null): CompositeResult {
    const S = this.config.samplesPerRay;
    const samples = sampleRays(request.rays, S, request.bound, rng);
    const N = request.rays.count;
    const scene = request.scene;
    return tf.tidy(() => {
      const { sigma, rgb } = this.field(planes, samples.points, (p) => scene[Math.floor(p / S)]!, request.bound);
      return composite(
        tf.reshape(sigma, [N, S]) as tf.Tensor2D,
        tf.reshape(rgb, [N, S, 3]) as tf.Tensor3D,
        tf.tensor2d(samples.deltas, [N, S]),
        tf.tensor2d(request.background, [N, 3]),
      );
    });
  }

  dispose(): void {
    this.params.dispose();
  }
}

/**
 * ConvTranspose2d with kernel = stride = s and no padding, on the three planes at once: each input
 * token maps to an s×s block of output pixels through its own matrix product, so the layer is one
 * dense layer [W → C·s·s] followed by a depth-to-space shuffle (no overlapping windows). Equal to
 * tf.conv2dTranspose with the same weights (tested), but trains on every backend through matmul
 * gradients (tfjs-wasm has no Conv2DBackpropFilter kernel). x [B, 3·r·r, W] → [B, 3, r·s, r·s, C].
 */
export function deconvolve(x: tf.Tensor3D, weight: tf.Tensor2D, bias: tf.Tensor1D, B: number, r: number, s: number, C: number): tf.Tensor5D {
  return tf.tidy(() => {
    const y = dense(x, weight); // [B, 3rr, C·s·s], (c, kh, kw) order as PyTorch's [in, out, kh, kw]
    const y5 = tf.reshape(y, [B * 3 * r, r, C, s, s]); // (b·plane·row i, col j, c, a, b')
    const shuffled = tf.transpose(y5, [0, 3, 1, 4, 2]); // (b·plane·i, a, j, b', c)
    return tf.add(tf.reshape(shuffled, [B, 3, r * s, r * s, C]), bias) as tf.Tensor5D;
  });
}
