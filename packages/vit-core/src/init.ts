import * as tf from '@tensorflow/tfjs-core';
import { ParamStore, Rng, numElements, type ParamSpec } from '@tips/runtime';
import type { VitConfig } from './config';
import { validateVitConfig } from './config-validate';
import { vitParamSpecs } from './params';

export interface VitInitOptions {
  seed?: number | string;
  /** LayerScale initial value (DINOv2 trains with 1e-5; the official inference code loads with 1.0). */
  layerScaleInit?: number;
  trainable?: boolean;
  /**
   * Expected pixel value of the inputs. The towers take raw RGB in [0, 1] (no normalisation, as the
   * official models); for training from scratch, a value of 0.5 sets the patch-embedding bias to
   * −0.5·ΣW so that a mid-grey patch embeds to the bias alone — the same network as centred inputs
   * at initialisation. Without it, every image's tokens share a large common component and the CLS
   * embeddings of different images start almost parallel (cosine ≈ 0.99), which stalls contrastive
   * training. Default 0 (the official initialisation).
   */
  pixelMean?: number;
}

/**
 * Initialises the image tower as the official code does (init_weights / init_weights_vit_timm):
 * pos_embed truncated normal std 0.02, cls and register tokens normal std 1e-6, Linear weights
 * truncated normal std 0.02 with zero biases, the patch-embedding Conv2d with PyTorch's default
 * (uniform ±1/√fan_in for weight and bias), LayerNorm 1/0, mask token 0, LayerScale layerScaleInit.
 */
export function initVitParams(config: VitConfig, options: VitInitOptions = {}): ParamStore {
  validateVitConfig(config);
  const rng = Rng.derive(options.seed ?? 0, 'vit-init');
  const ls = options.layerScaleInit ?? 1e-5;
  const fanIn = 3 * config.patchSize * config.patchSize;
  const bound = 1 / Math.sqrt(fanIn);
  const store = ParamStore.init(
    vitParamSpecs(config),
    (spec: ParamSpec) => {
      const n = numElements(spec.shape);
      const out = new Float32Array(n);
      const name = spec.name;
      if (name === 'pos_embed' || (spec.transpose && name !== 'patch_embed.proj.weight')) {
        for (let i = 0; i < n; i++) out[i] = rng.truncatedNormal(0, 0.02);
      } else if (name === 'cls_token' || name === 'register_tokens') {
        for (let i = 0; i < n; i++) out[i] = rng.normal(0, 1e-6);
      } else if (name.startsWith('patch_embed.proj.')) {
        for (let i = 0; i < n; i++) out[i] = rng.range(-bound, bound);
      } else if (name.endsWith('.gamma')) {
        out.fill(ls);
      } else if (/norm\d?\.weight$/.test(name)) {
        out.fill(1);
      }
      // biases, LayerNorm biases and mask_token stay 0
      return out;
    },
    options.trainable ?? true,
  );
  const mean = options.pixelMean ?? 0;
  if (mean !== 0) {
    const w = store.get('patch_embed.proj.weight');
    const b = store.get('patch_embed.proj.bias');
    tf.tidy(() => b.assign(tf.sub(b, tf.mul(tf.sum(w, 0), mean))));
  }
  return store;
}
