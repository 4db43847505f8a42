export { dense } from './dense';
export { multiHeadAttention, type AttentionOptions } from './attention';
export { layerNorm } from './layer-norm';
export { gelu, silu } from './activations';
export { plainBatchMatMul, sumRows } from './wasm-kernels';
export { setOpsPath, getOpsPath, useFastOps, withOpsPath, OpsPathError, type OpsPath } from './path';
export { checkpointed } from './checkpoint';
