import * as tf from '@tensorflow/tfjs-core';
import { TipsError } from '../errors';

/**
 * Which implementation the layer ops (dense, multiHeadAttention, layerNorm, gelu, silu) use.
 * - `fast`: hand-written forward and backward passes (tf.customGrad) that only use the kernels the
 *   backend runs fast — on tfjs-backend-wasm, XNNPACK's untransposed, unbatched matmul (see
 *   docs/performance.md) — and fused element-wise gradients.
 * - `reference`: plain tfjs ops with tfjs's built-in gradients (the fastest choice on tfjs-node,
 *   whose native matmul handles transposes and batches itself).
 * - `auto` (default): `fast` on the wasm and cpu backends, `reference` elsewhere (tfjs-node's
 *   'tensorflow', webgl, webgpu).
 */
export type OpsPath = 'auto' | 'fast' | 'reference';

const FAST_BACKENDS = new Set(['wasm', 'cpu']);
let chosen: OpsPath = 'auto';

/** An unknown ops path name (setOpsPath, TIPS_OPS). */
export class OpsPathError extends TipsError {
  constructor(message: string) {
    super('OPS_PATH', message);
  }
}

function parse(text: string): OpsPath {
  const t = text.trim().toLowerCase();
  if (t === 'auto' || t === 'fast' || t === 'reference') return t;
  throw new OpsPathError(`unknown ops path '${text}'; use auto, fast or reference (TIPS_OPS=fast)`);
}

// The TIPS_OPS environment variable sets the starting choice (handy for benchmarks and bisecting).
if (typeof process !== 'undefined' && process.env?.TIPS_OPS) chosen = parse(process.env.TIPS_OPS);

/** Sets the implementation of the layer ops for the whole process (worker threads choose their own). */
export function setOpsPath(path: OpsPath | string): void {
  chosen = parse(path);
}

/** The choice made by setOpsPath (or TIPS_OPS), before resolving `auto`. */
export function getOpsPath(): OpsPath {
  return chosen;
}

/** Whether the layer ops take their fast path now (resolves `auto` against the active backend). */
export function useFastOps(): boolean {
  if (chosen !== 'auto') return chosen === 'fast';
  return FAST_BACKENDS.has(tf.getBackend());
}

/** Runs `fn` with the ops path set to `path`, restoring the previous choice afterwards (also on throw). */
export function withOpsPath<T>(path: OpsPath, fn: () => T): T {
  const before = chosen;
  chosen = path;
  try {
    return fn();
  } finally {
    chosen = before;
  }
}
