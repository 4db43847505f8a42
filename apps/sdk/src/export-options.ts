import type { WeightDType } from './onnx/graph';
import type { AttentionImpl } from './onnx/ops-attention';

export interface GraphExportOptions {
  /** 'float32' (default) or 'float16' weights (half the file; each weight is cast to float32 in the graph). */
  weightDtype?: WeightDType;
  /** 'matmul' (default, plain ONNX ops) or 'com.microsoft' (ONNX Runtime's fused Attention; ORT only). */
  attention?: AttentionImpl;
  /** ONNX opset, ≥ 17 (default 17). */
  opset?: number;
}

/** Just the graph options of a larger options object (for passing them on). */
export function graphOptionsOf(o: GraphExportOptions): GraphExportOptions {
  return {
    ...(o.weightDtype ? { weightDtype: o.weightDtype } : {}),
    ...(o.attention ? { attention: o.attention } : {}),
    ...(o.opset ? { opset: o.opset } : {}),
  };
}
