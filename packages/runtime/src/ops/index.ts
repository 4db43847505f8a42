export { dense } from './dense';
export { multiHeadAttention, type AttentionOptions } from './attention';
export { layerNorm } from './layer-norm';
export { gelu, silu } from './activations';
export { plainBatchMatMul } from './batch-matmul';
export { setOpsPath, getOpsPath, useFastOps, withOpsPath, OpsPathError, type OpsPath } from './path';
