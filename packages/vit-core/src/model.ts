import * as tf from '@tensorflow/tfjs-core';
import { checkpointed, dense, gelu, layerNorm, multiHeadAttention, silu, ParamStore, Rng } from '@tips/runtime';
import { ffnHiddenDim, type VitConfig } from './config';
import { validateVitConfig } from './config-validate';
import { VitInputError } from './errors';
import { interpolatePosEmbed } from './pos-embed';
import { patchify } from './patchify';
import { vitParamSpecs } from './params';
import { initVitParams, type VitInitOptions } from './init';

/** What the image tower returns. Every tensor is new: the caller disposes it. */
export interface VitOutput {
  /** First CLS token after the final norm, [B, D] (pairs with the web caption). */
  cls1: tf.Tensor2D;
  /** The register token after the final norm, [B, D] (pairs with the synthetic caption). */
  cls2: tf.Tensor2D;
  /** Patch tokens after the final norm, [B, h·w, D], row-major over the grid. */
  patches: tf.Tensor3D;
  /** Patch grid [h, w] = [H/14, W/14]. */
  grid: [number, number];
  /** Outputs of the blocks asked for in `layers`, in the order asked. */
  layers?: VitLayerOutput[];
}

export interface VitLayerOutput {
  block: number;
  cls1: tf.Tensor2D;
  cls2: tf.Tensor2D;
  patches: tf.Tensor3D;
}

export interface VitForwardOptions {
  /** [B, h·w] boolean or 0/1: patches replaced by the mask token before position embeddings. */
  masks?: tf.Tensor2D;
  /** Training mode: enables stochastic depth when dropPathRate > 0. */
  training?: boolean;
  /** Stochastic-depth rate of the last block (linearly increasing from 0 over depth, as DINOv2). */
  dropPathRate?: number;
  /** Random source for stochastic depth (required when it is active). */
  rng?: Rng;
  /** Block indices (0-based; negative counts from the end) whose outputs to return (DPT/LRM heads). */
  layers?: number[];
  /** Apply the final LayerNorm to the intermediate outputs (default true, as DINOv2's get_intermediate_layers). */
  normLayers?: boolean;
  /**
   * Gradient checkpointing per transformer block (default false): under a gradient tape each block
   * runs as one op (@tips/runtime `checkpointed`) that keeps only its input and recomputes the block
   * in the backward pass, so a training step holds one block's activations and gradients at a time
   * instead of all of them, for one extra forward pass of the blocks. Same values and gradients;
   * no effect without a tape (inference).
   */
  checkpointBlocks?: boolean;
}

/**
 * The TIPS image tower: DINOv2-style ViT with patch 14, CLS + one register token (the two CLS
 * embeddings), LayerScale, GELU MLP or fused SwiGLU, bilinear-antialiased position embeddings.
 * Input: NHWC float32 images [B, H, W, 3], RGB in [0, 1] (no mean/std normalisation), H and W
 * multiples of 14. Owns its parameters (dispose()).
 */
export class VisionTransformer {
  constructor(
    readonly config: VitConfig,
    readonly params: ParamStore,
  ) {
    validateVitConfig(config);
  }

  /** Fresh parameters for training from scratch (seeded; see init.ts for the scheme). */
  static init(config: VitConfig, options: VitInitOptions = {}): VisionTransformer {
    return new VisionTransformer(config, initVitParams(config, options));
  }

  private p(name: string): tf.Tensor {
    return this.params.get(name);
  }

  forward(images: tf.Tensor4D, options: VitForwardOptions = {}): VitOutput {
    const cfg = this.config;
    if (images.rank !== 4 || images.shape[3] !== 3) {
      throw new VitInputError(`images must be NHWC [B, H, W, 3]; got shape ${JSON.stringify(images.shape)}. Transpose NCHW input with tf.transpose(x, [0, 2, 3, 1])`);
    }
    const [B, H, W] = images.shape;
    const P = cfg.patchSize;
    if (H % P !== 0 || W % P !== 0 || H === 0 || W === 0) {
      throw new VitInputError(`image size ${H}×${W} is not a multiple of the patch size ${P}; resize to e.g. ${Math.max(P, Math.round(H / P) * P)}×${Math.max(P, Math.round(W / P) * P)}`);
    }
    const h = H / P;
    const w = W / P;
    const N = h * w;
    if (options.masks && (options.masks.shape[0] !== B || options.masks.shape[1] !== N)) {
      throw new VitInputError(`masks must be [${B}, ${N}] for a ${h}×${w} patch grid; got ${JSON.stringify(options.masks.shape)}`);
    }
    const dropRate = options.training ? (options.dropPathRate ?? 0) : 0;
    if (dropRate > 0 && !options.rng) throw new VitInputError('stochastic depth needs options.rng (an Rng from @tips/runtime)');
    const wanted = (options.layers ?? []).map((l) => (l < 0 ? cfg.depth + l : l));
    for (const l of wanted) if (l < 0 || l >= cfg.depth) throw new VitInputError(`layer ${l} does not exist (depth ${cfg.depth})`);
    const D = cfg.embedDim;

    const collected = new Map<number, tf.Tensor3D>();
    const out = tf.tidy(() => {
      let x: tf.Tensor = dense(patchify(images, P), this.p('patch_embed.proj.weight') as tf.Tensor2D, this.p('patch_embed.proj.bias') as tf.Tensor1D);
      x = tf.reshape(x, [B, N, D]);
      if (options.masks) {
        const m = tf.expandDims(tf.cast(options.masks, 'float32'), -1);
        x = tf.add(tf.mul(x, tf.sub(1, m)), tf.mul(m, this.p('mask_token')));
      }
      const cls = tf.broadcastTo(this.p('cls_token'), [B, 1, D]);
      x = tf.concat([cls, x], 1);
      x = tf.add(x, interpolatePosEmbed(this.p('pos_embed'), h, w));
      if (cfg.registers > 0) {
        const reg = tf.broadcastTo(this.p('register_tokens'), [B, cfg.registers, D]);
        x = tf.concat([tf.slice(x, [0, 0, 0], [B, 1, D]), reg, tf.slice(x, [0, 1, 0], [B, N, D])], 1);
      }
      for (let i = 0; i < cfg.depth; i++) {
        const rate = cfg.depth > 1 ? (dropRate * i) / (cfg.depth - 1) : dropRate;
        x = this.block(i, x as tf.Tensor3D, rate, options.rng, options.checkpointBlocks ?? false);
        if (wanted.includes(i)) collected.set(i, tf.keep(tf.clone(x) as tf.Tensor3D));
      }
      return tf.keep(x as tf.Tensor3D);
    });

    const split = (x: tf.Tensor3D) =>
      tf.tidy(() => {
        const normed = layerNorm(x, this.p('norm.weight') as tf.Tensor1D, this.p('norm.bias') as tf.Tensor1D, cfg.eps);
        const T = cfg.registers + 1 + N;
        return {
          cls1: tf.reshape(tf.slice(normed, [0, 0, 0], [B, 1, D]), [B, D]) as tf.Tensor2D,
          cls2: tf.reshape(tf.slice(normed, [0, cfg.registers > 0 ? 1 : 0, 0], [B, 1, D]), [B, D]) as tf.Tensor2D,
          patches: tf.slice(normed, [0, T - N, 0], [B, N, D]) as tf.Tensor3D,
        };
      });
    const main = split(out);
    out.dispose();
    const result: VitOutput = { ...main, grid: [h, w] };
    if (wanted.length) {
      const normLayers = options.normLayers ?? true;
      result.layers = wanted.map((l) => {
        const x = collected.get(l)!;
        let o: Omit<VitLayerOutput, 'block'>;
        if (normLayers) o = split(x);
        else {
          const T = cfg.registers + 1 + N;
          o = tf.tidy(() => ({
            cls1: tf.reshape(tf.slice(x, [0, 0, 0], [B, 1, D]), [B, D]) as tf.Tensor2D,
            cls2: tf.reshape(tf.slice(x, [0, cfg.registers > 0 ? 1 : 0, 0], [B, 1, D]), [B, D]) as tf.Tensor2D,
            patches: tf.slice(x, [0, T - N, 0], [B, N, D]) as tf.Tensor3D,
          }));
        }
        return { block: l, ...o };
      });
      for (const x of collected.values()) x.dispose();
    }
    return result;
  }

  /** Names of block i's parameters, in the order the block function takes them. */
  private blockParamNames(i: number): string[] {
    const cfg = this.config;
    const b = `blocks.${i}.`;
    const names = [`${b}norm1.weight`, `${b}norm1.bias`, `${b}attn.qkv.weight`];
    if (cfg.qkvBias) names.push(`${b}attn.qkv.bias`);
    names.push(`${b}attn.proj.weight`, `${b}attn.proj.bias`);
    if (cfg.layerScale) names.push(`${b}ls1.gamma`, `${b}ls2.gamma`);
    names.push(`${b}norm2.weight`, `${b}norm2.bias`);
    if (cfg.ffn === 'swiglu') names.push(`${b}mlp.w12.weight`, `${b}mlp.w12.bias`, `${b}mlp.w3.weight`, `${b}mlp.w3.bias`);
    else names.push(`${b}mlp.fc1.weight`, `${b}mlp.fc1.bias`, `${b}mlp.fc2.weight`, `${b}mlp.fc2.bias`);
    return names;
  }

  private block(i: number, x: tf.Tensor3D, dropRate: number, rng: Rng | undefined, checkpoint: boolean): tf.Tensor3D {
    const B = x.shape[0];
    // Stochastic depth: both residual masks ([B, 1, 1], 0 or 1/keep) are drawn here, before the
    // block runs (attention's first, then the FFN's, as always), so that a checkpointed block's
    // recompute multiplies by the very same masks and the Rng stream does not depend on checkpointing.
    const masks: tf.Tensor[] = [];
    if (dropRate > 0 && rng) {
      const keep = 1 - dropRate;
      for (let r = 0; r < 2; r++) {
        const mask = new Float32Array(B);
        for (let k = 0; k < B; k++) mask[k] = rng.bernoulli(keep) ? 1 / keep : 0;
        masks.push(tf.tensor3d(mask, [B, 1, 1]));
      }
    }
    const names = this.blockParamNames(i);
    const params = names.map((n) => this.p(n));
    const nMasks = masks.length;
    const fn = (...args: tf.Tensor[]): tf.Tensor3D => {
      const p = new Map<string, tf.Tensor>();
      names.forEach((n, k) => p.set(n, args[1 + nMasks + k]!));
      return this.blockForward(i, args[0] as tf.Tensor3D, nMasks ? [args[1]!, args[2]!] : null, (n) => p.get(n)!);
    };
    const inputs = [x, ...masks, ...params];
    return checkpoint ? checkpointed(fn, inputs) : fn(...inputs);
  }

  /** Block i as a pure function of its input, its drop-path masks and its parameters (read through `p`). */
  private blockForward(i: number, x: tf.Tensor3D, dropMasks: [tf.Tensor, tf.Tensor] | null, p: (name: string) => tf.Tensor): tf.Tensor3D {
    const cfg = this.config;
    const b = `blocks.${i}.`;
    const [B, T] = x.shape;
    const eps = cfg.eps;
    const residual = (branch: tf.Tensor, gammaName: string, r: 0 | 1): tf.Tensor => {
      let out = cfg.layerScale ? tf.mul(branch, p(gammaName)) : branch;
      if (dropMasks) out = tf.mul(out, dropMasks[r]);
      return out;
    };
    // Attention branch.
    const n1 = layerNorm(x, p(`${b}norm1.weight`) as tf.Tensor1D, p(`${b}norm1.bias`) as tf.Tensor1D, eps);
    const qkv = dense(n1, p(`${b}attn.qkv.weight`) as tf.Tensor2D, cfg.qkvBias ? (p(`${b}attn.qkv.bias`) as tf.Tensor1D) : null);
    const [q, k, v] = tf.split(qkv, 3, -1) as [tf.Tensor3D, tf.Tensor3D, tf.Tensor3D];
    const attn = multiHeadAttention(q, k, v, { heads: cfg.heads });
    const proj = dense(attn, p(`${b}attn.proj.weight`) as tf.Tensor2D, p(`${b}attn.proj.bias`) as tf.Tensor1D);
    let y = tf.add(x, residual(proj, `${b}ls1.gamma`, 0));
    // FFN branch.
    const n2 = layerNorm(y, p(`${b}norm2.weight`) as tf.Tensor1D, p(`${b}norm2.bias`) as tf.Tensor1D, eps);
    let f: tf.Tensor;
    if (cfg.ffn === 'swiglu') {
      const H = ffnHiddenDim(cfg);
      const x12 = dense(n2, p(`${b}mlp.w12.weight`) as tf.Tensor2D, p(`${b}mlp.w12.bias`) as tf.Tensor1D);
      const x1 = tf.slice(x12, [0, 0, 0], [B, T, H]);
      const x2 = tf.slice(x12, [0, 0, H], [B, T, H]);
      f = dense(tf.mul(silu(x1), x2), p(`${b}mlp.w3.weight`) as tf.Tensor2D, p(`${b}mlp.w3.bias`) as tf.Tensor1D);
    } else {
      const hdn = gelu(dense(n2, p(`${b}mlp.fc1.weight`) as tf.Tensor2D, p(`${b}mlp.fc1.bias`) as tf.Tensor1D));
      f = dense(hdn, p(`${b}mlp.fc2.weight`) as tf.Tensor2D, p(`${b}mlp.fc2.bias`) as tf.Tensor1D);
    }
    y = tf.add(y, residual(f, `${b}ls2.gamma`, 1));
    return y as tf.Tensor3D;
  }

  /** Parameter specs of this model (names, shapes). */
  specs() {
    return vitParamSpecs(this.config);
  }

  dispose(): void {
    this.params.dispose();
  }
}
