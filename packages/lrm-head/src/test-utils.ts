// Shared helpers of the tests (not exported from the package).
import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '@tips/runtime';
import { VIT_PRESETS, VisionTransformer, type VitConfig } from '@tips/vit-core';
import { lrmConfig, type LrmConfig } from './config';

export const TINY_VIT: VitConfig = { ...VIT_PRESETS.S, embedDim: 24, depth: 2, heads: 2, mlpHidden: 48, posGrid: 4 };

export function tinyLrmConfig(overrides: Partial<LrmConfig> = {}): LrmConfig {
  return lrmConfig('tiny', TINY_VIT.embedDim, {
    width: 16,
    depth: 1,
    heads: 2,
    cameraDim: 16,
    triplaneTokens: 4,
    upsample: 2,
    planeChannels: 4,
    nerfHidden: 16,
    nerfLayers: 1,
    samplesPerRay: 8,
    encoderInput: 28,
    ...overrides,
  });
}

export function tinyTower(seed = 1): VisionTransformer {
  return VisionTransformer.init(TINY_VIT, { seed, layerScaleInit: 0.5, trainable: false });
}

export function randomTensor(shape: number[], seed: number, scale = 1): tf.Tensor {
  const r = new Rng(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(r.fill(new Float32Array(n), (x) => x.normal(0, scale)), shape);
}
