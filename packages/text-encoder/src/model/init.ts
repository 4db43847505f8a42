import { ParamStore, Rng, numElements, type ParamSpec } from '@tips/runtime';
import type { TextConfig } from './config';
import { textParamSpecs } from './params';

export interface TextInitOptions {
  seed?: number | string;
  trainable?: boolean;
}

/**
 * Fresh parameters for training from scratch, following the official Flax text tower
 * (google-deepmind/tips scenic/models/text.py):
 * - token embedding: normal, std 1/√hiddenSize (variance_scaling(1, 'fan_in', 'normal', out_axis=0));
 *   with the ×√hiddenSize input scaling the embedded tokens start with unit variance;
 * - attention q, k, v and output projections: Xavier uniform per D×D matrix, bound √(6/(D+D)),
 *   biases 0 (nn.MultiHeadDotProductAttention defaults);
 * - MLP c_fc and c_proj: Xavier uniform, bound √(6/(fan_in+fan_out)), biases normal std 1e-6;
 * - LayerNorm weight 1, bias 0.
 * Each tensor draws from its own stream Rng.derive(seed, 'text-init', name), so changing the
 * depth does not change the other tensors' values.
 */
export function initTextParams(config: TextConfig, options: TextInitOptions = {}): ParamStore {
  const seed = options.seed ?? 0;
  const D = config.hiddenSize;
  return ParamStore.init(
    textParamSpecs(config),
    (spec: ParamSpec) => {
      const rng = Rng.derive(seed, 'text-init', spec.name);
      const out = new Float32Array(numElements(spec.shape));
      const name = spec.name;
      const xavier = (fanIn: number, fanOut: number) => {
        const bound = Math.sqrt(6 / (fanIn + fanOut));
        for (let i = 0; i < out.length; i++) out[i] = rng.range(-bound, bound);
      };
      if (name === 'token_embedding.weight') {
        const std = 1 / Math.sqrt(D);
        for (let i = 0; i < out.length; i++) out[i] = rng.normal(0, std);
      } else if (name.endsWith('attn.in_proj_weight') || name.endsWith('attn.out_proj.weight')) {
        xavier(D, D); // in_proj is three D×D matrices side by side: the same bound for each
      } else if (name.endsWith('mlp.c_fc.weight') || name.endsWith('mlp.c_proj.weight')) {
        xavier(spec.shape[0]!, spec.shape[1]!);
      } else if (name.endsWith('mlp.c_fc.bias') || name.endsWith('mlp.c_proj.bias')) {
        for (let i = 0; i < out.length; i++) out[i] = rng.normal(0, 1e-6);
      } else if (/ln_(1|2|final)\.weight$/.test(name)) {
        out.fill(1);
      }
      // attention biases and LayerNorm biases stay 0
      return out;
    },
    options.trainable ?? true,
  );
}
