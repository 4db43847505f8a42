/**
 * Configuration of the TIPS image tower: a DINOv2-style ViT with patch 14, one CLS token, one
 * register token (TIPS's second CLS), LayerScale and a GELU MLP or fused SwiGLU FFN.
 * Source of the values: google-deepmind/tips pytorch/image_encoder.py (vit_small … vit_giant2) and
 * run_image_encoder_inference.py (init_values=1.0, interpolate_antialias=True, interpolate_offset=0.0).
 */
export interface VitConfig {
  /** Width of the token embeddings. */
  embedDim: number;
  depth: number;
  heads: number;
  /** Hidden width of the FFN before any SwiGLU adjustment: int(embedDim · mlpRatio). */
  mlpHidden: number;
  ffn: 'mlp' | 'swiglu';
  patchSize: number;
  /** Side of the square position-embedding grid stored in the checkpoint (16 in v1 at 224, 32 in v2 at 448). */
  posGrid: number;
  /** Number of register tokens (TIPS: 1, the second CLS). */
  registers: number;
  /** LayerNorm epsilon. */
  eps: number;
  /** LayerScale present (init_values > 0). */
  layerScale: boolean;
  qkvBias: boolean;
}

export type VitPresetName = 'S' | 'B' | 'L' | 'So400m' | 'g';

function preset(embedDim: number, depth: number, heads: number, mlpHidden: number, ffn: 'mlp' | 'swiglu'): VitConfig {
  return { embedDim, depth, heads, mlpHidden, ffn, patchSize: 14, posGrid: 16, registers: 1, eps: 1e-6, layerScale: true, qkvBias: true };
}

/** The five published sizes. posGrid here is v1's 16; loaders take the real grid from `pos_embed`. */
export const VIT_PRESETS: Record<VitPresetName, VitConfig> = {
  S: preset(384, 12, 6, 1536, 'mlp'),
  B: preset(768, 12, 12, 3072, 'mlp'),
  L: preset(1024, 24, 16, 4096, 'mlp'),
  // mlp_ratio = 4304 / 1152 → int(1152 · 4304/1152) = 4304
  So400m: preset(1152, 27, 16, 4304, 'mlp'),
  g: preset(1536, 40, 24, 6144, 'swiglu'),
};

/** Width of the hidden layer that the FFN really has (SwiGLU shrinks it: (int(h·2/3)+7)//8·8). */
export function ffnHiddenDim(config: VitConfig): number {
  if (config.ffn === 'swiglu') return Math.floor((Math.floor((config.mlpHidden * 2) / 3) + 7) / 8) * 8;
  return config.mlpHidden;
}

export function vitPreset(name: string): VitConfig {
  const key = (Object.keys(VIT_PRESETS) as VitPresetName[]).find((k) => k.toLowerCase() === name.toLowerCase());
  if (!key) throw new Error(`unknown image tower preset '${name}'; use one of ${Object.keys(VIT_PRESETS).join(', ')}`);
  return { ...VIT_PRESETS[key] };
}
