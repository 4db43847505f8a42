import type { CameraFrame } from './camera-frame';
import { LrmConfigError } from './errors';

/**
 * Architecture of the LRM head (Hong et al., "LRM: Large Reconstruction Model for Single Image to
 * 3D", ICLR 2024, arXiv:2311.04400, §3): image tokens → camera-modulated image-to-triplane
 * transformer → deconvolution to three feature planes → NeRF MLP → volume rendering. The paper's
 * model uses 32×32 triplane tokens of width 1024, 16 layers, 16 heads, a ConvTranspose2d(k=2, s=2)
 * to 64×64×80 planes and 128 samples per ray; the defaults here are the CPU-sized `tiny` preset.
 */
export interface LrmConfig {
  /** Width of the image tower's tokens (D). */
  encoderDim: number;
  /** Intermediate tower blocks whose (normed) patch tokens are concatenated to the final ones (channel-wise). */
  encoderLayers: number[];
  /** Side of the square image fed to the tower (a multiple of 14); source views are resized to it. */
  encoderInput: number;
  /** Width of the camera embedding c̃ = MLP^cam(c). */
  cameraDim: number;
  /** Width of the triplane tokens in the transformer. */
  width: number;
  /** Transformer layers (cross-attention, self-attention, MLP, each after a camera-modulated LayerNorm). */
  depth: number;
  heads: number;
  mlpRatio: number;
  /** Triplane tokens per plane side (r): the queries are 3·r·r learned tokens. */
  triplaneTokens: number;
  /** Deconvolution factor s (kernel = stride = s): planes are (r·s)×(r·s). */
  upsample: number;
  /** Channels of each feature plane. */
  planeChannels: number;
  /** How the three plane features of a point are combined: 'concat' (OpenLRM) or 'sum' (EG3D). */
  aggregate: 'concat' | 'sum';
  nerfHidden: number;
  /** Hidden layers of the NeRF MLP. */
  nerfLayers: number;
  /** Samples per ray (stratified within the scene box). */
  samplesPerRay: number;
  /** σ = densityScale · softplus(raw + densityBias). */
  densityScale: number;
  densityBias: number;
  /** Frame of the triplanes: 'source' (scene rotated so the input camera is canonical, OpenLRM) or 'world'. */
  cameraFrame: CameraFrame;
  /**
   * Initialisation of the transformer's Linear weights: 'torch' (PyTorch's nn.Linear default,
   * uniform ±1/√fan_in, what OpenLRM's decoder layers get) or 'vit' (truncated normal, std 0.02).
   */
  linearInit: 'torch' | 'vit';
}

export type LrmPresetName = 'tiny' | 'small';

const BASE: Omit<LrmConfig, 'encoderDim'> = {
  encoderLayers: [],
  encoderInput: 56,
  cameraDim: 64,
  width: 64,
  depth: 2,
  heads: 4,
  mlpRatio: 2,
  triplaneTokens: 8,
  upsample: 2,
  planeChannels: 8,
  aggregate: 'concat',
  nerfHidden: 32,
  nerfLayers: 2,
  samplesPerRay: 24,
  densityScale: 10,
  densityBias: -1,
  cameraFrame: 'source',
  linearInit: 'torch',
};

/** Presets: `tiny` trains on a 2-core CPU in minutes; `small` is a bigger CPU/GPU size. */
export const LRM_PRESETS: Record<LrmPresetName, Omit<LrmConfig, 'encoderDim'>> = {
  tiny: BASE,
  small: { ...BASE, width: 128, depth: 4, heads: 4, triplaneTokens: 16, upsample: 2, planeChannels: 16, nerfHidden: 64, samplesPerRay: 48, encoderInput: 112 },
};

/** A full config from a preset, the tower's width and overrides; validated. */
export function lrmConfig(preset: LrmPresetName | string, encoderDim: number, overrides: Partial<LrmConfig> = {}): LrmConfig {
  const base = LRM_PRESETS[preset as LrmPresetName];
  if (!base) throw new LrmConfigError(`unknown LRM preset '${preset}'; use one of ${Object.keys(LRM_PRESETS).join(', ')}`);
  const c: LrmConfig = { ...base, encoderDim, ...overrides };
  validateLrmConfig(c);
  return c;
}

export function validateLrmConfig(c: LrmConfig): void {
  const posInt = (k: keyof LrmConfig) => {
    const v = c[k] as number;
    if (!Number.isInteger(v) || v < 1) throw new LrmConfigError(`${k} must be a positive integer, got ${v}`);
  };
  for (const k of ['encoderDim', 'encoderInput', 'cameraDim', 'width', 'depth', 'heads', 'mlpRatio', 'triplaneTokens', 'upsample', 'planeChannels', 'nerfHidden', 'nerfLayers', 'samplesPerRay'] as const) posInt(k);
  if (c.encoderInput % 14 !== 0) throw new LrmConfigError(`encoderInput must be a multiple of the patch size 14 (e.g. 56 or 112), got ${c.encoderInput}`);
  if (c.width % c.heads !== 0) throw new LrmConfigError(`width ${c.width} must be divisible by heads ${c.heads}`);
  if (c.aggregate !== 'concat' && c.aggregate !== 'sum') throw new LrmConfigError(`aggregate must be 'concat' or 'sum', got '${c.aggregate}'`);
  if (c.linearInit !== 'torch' && c.linearInit !== 'vit') throw new LrmConfigError(`linearInit must be 'torch' or 'vit', got '${c.linearInit}'`);
  if (c.cameraFrame !== 'source' && c.cameraFrame !== 'world') throw new LrmConfigError(`cameraFrame must be 'source' or 'world', got '${c.cameraFrame}'`);
  if (!(c.densityScale > 0)) throw new LrmConfigError(`densityScale must be positive, got ${c.densityScale}`);
}

/** Side of each feature plane (r·s). */
export function planeResolution(c: LrmConfig): number {
  return c.triplaneTokens * c.upsample;
}

/** Width of the condition tokens: D · (1 + number of intermediate layers). */
export function conditionDim(c: LrmConfig): number {
  return c.encoderDim * (1 + c.encoderLayers.length);
}
