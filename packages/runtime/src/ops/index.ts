export { dense } from './dense';
export { multiHeadAttention, type AttentionOptions } from './attention';
export { layerNorm } from './layer-norm';
export { gelu, silu } from './activations';
