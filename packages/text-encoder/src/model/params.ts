import type { ParamSpec } from '@tips/runtime';
import type { TextConfig } from './config';

/** Prefix of block `i`'s parameters in the official state dict. */
export const blockPrefix = (i: number): string => `transformer.resblocks.${i}.`;

/**
 * Parameters of the text tower with their official PyTorch state-dict names, in state-dict order.
 * Linear weights (including nn.MultiheadAttention's fused in_proj_weight, stored [3D, D] = q;k;v)
 * are marked `transpose` so that memory holds [in, out].
 */
export function textParamSpecs(config: TextConfig): ParamSpec[] {
  const D = config.hiddenSize;
  const M = config.mlpDim;
  const specs: ParamSpec[] = [{ name: 'token_embedding.weight', shape: [config.vocabSize, D] }];
  for (let i = 0; i < config.numLayers; i++) {
    const p = blockPrefix(i);
    specs.push(
      { name: `${p}attn.in_proj_weight`, shape: [D, 3 * D], transpose: true },
      { name: `${p}attn.in_proj_bias`, shape: [3 * D] },
      { name: `${p}attn.out_proj.weight`, shape: [D, D], transpose: true },
      { name: `${p}attn.out_proj.bias`, shape: [D] },
      { name: `${p}ln_1.weight`, shape: [D] },
      { name: `${p}ln_1.bias`, shape: [D] },
      { name: `${p}mlp.c_fc.weight`, shape: [D, M], transpose: true },
      { name: `${p}mlp.c_fc.bias`, shape: [M] },
      { name: `${p}mlp.c_proj.weight`, shape: [M, D], transpose: true },
      { name: `${p}mlp.c_proj.bias`, shape: [D] },
      { name: `${p}ln_2.weight`, shape: [D] },
      { name: `${p}ln_2.bias`, shape: [D] },
    );
  }
  specs.push({ name: 'ln_final.weight', shape: [D] }, { name: 'ln_final.bias', shape: [D] });
  return specs;
}
