import * as tf from '@tensorflow/tfjs-core';

/**
 * Plain (untransposed) batched matmul a[i]·b[i] that runs at XNNPACK speed on tfjs-backend-wasm.
 *
 * tfjs-backend-wasm sends a matmul to XNNPACK only when neither operand is transposed and the
 * batch is 1; every other form falls back to a scalar triple loop (~0.5–1 GFLOP/s, see
 * docs/performance.md). Slicing the batch apart with tf.slice / tf.unstack is no way out: the wasm
 * Slice kernel copies the whole input for every slice it cuts. This kernel instead registers, for
 * each batch entry, tensor ids that alias the operands' memory on the wasm heap (no copy) and calls
 * the backend's own exported `BatchMatMul` on them, so each product takes the XNNPACK path; the
 * aliases are unregistered right after (which also frees the XNNPACK operator cached on them).
 *
 * It relies on tfjs-backend-wasm 4.x internals (`dataIdMap`, `makeOutput`, `wasm.tfjs.registerTensor`,
 * `wasm.tfjs.disposeData`, `wasm.cwrap('BatchMatMul')`); when those are missing the plain tfjs
 * batched matMul runs instead (correct, slower). On other backends it is tf.matMul.
 */
export const PLAIN_BATCH_MATMUL = 'TipsPlainBatchMatMul';

interface WasmDataLike {
  id: number;
  memoryOffset: number;
}
interface WasmModuleLike {
  cwrap(name: string, ret: null, args: string[]): (...args: unknown[]) => void;
  tfjs: { registerTensor(id: number, size: number, offset: number): void; disposeData(id: number): void };
}
interface WasmBackendLike {
  wasm: WasmModuleLike;
  dataIdMap: { get(dataId: object): WasmDataLike | undefined };
  dataIdNextNumber: number;
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
}

type WasmMatMul = (aId: number, aShape: Uint8Array, aRank: number, bId: number, bShape: Uint8Array, bRank: number, ta: number, tb: number, outId: number) => void;
const wrapped = new WeakMap<object, WasmMatMul>();

function looksLikeWasmBackend(b: unknown): b is WasmBackendLike {
  const w = b as Partial<WasmBackendLike> | null;
  return (
    !!w &&
    typeof w.makeOutput === 'function' &&
    typeof w.dataIdNextNumber === 'number' &&
    typeof w.dataIdMap?.get === 'function' &&
    typeof w.wasm?.cwrap === 'function' &&
    typeof w.wasm?.tfjs?.registerTensor === 'function' &&
    typeof w.wasm?.tfjs?.disposeData === 'function'
  );
}

function shapeBytes(shape: number[]): Uint8Array {
  return new Uint8Array(new Int32Array(shape).buffer);
}

function kernelFunc({ inputs, backend }: { inputs: tf.NamedTensorInfoMap; backend: unknown }): tf.TensorInfo {
  const a = inputs['a']!;
  const b = inputs['b']!;
  const be = backend as WasmBackendLike;
  const [batch, M, K] = a.shape as [number, number, number];
  const N = b.shape[2]!;
  let mm = wrapped.get(be.wasm);
  if (!mm) {
    mm = be.wasm.cwrap('BatchMatMul', null, ['number', 'array', 'number', 'number', 'array', 'number', 'number', 'number', 'number']) as WasmMatMul;
    wrapped.set(be.wasm, mm);
  }
  const out = be.makeOutput([batch, M, N], 'float32');
  const aBase = be.dataIdMap.get(a.dataId)!.memoryOffset;
  const bBase = be.dataIdMap.get(b.dataId)!.memoryOffset;
  const oBase = be.dataIdMap.get(out.dataId)!.memoryOffset;
  const aShape = shapeBytes([1, M, K]);
  const bShape = shapeBytes([1, K, N]);
  const reg = be.wasm.tfjs;
  for (let i = 0; i < batch; i++) {
    const ia = be.dataIdNextNumber++;
    const ib = be.dataIdNextNumber++;
    const io = be.dataIdNextNumber++;
    reg.registerTensor(ia, M * K, aBase + i * M * K * 4);
    reg.registerTensor(ib, K * N, bBase + i * K * N * 4);
    reg.registerTensor(io, M * N, oBase + i * M * N * 4);
    try {
      mm(ia, aShape, 3, ib, bShape, 3, 0, 0, io);
    } finally {
      reg.disposeData(ia);
      reg.disposeData(ib);
      reg.disposeData(io);
    }
  }
  return out;
}

let wasmKernelState: 'unknown' | 'registered' | 'unavailable' = 'unknown';

function wasmKernelReady(): boolean {
  if (wasmKernelState === 'unknown') {
    if (tf.getKernel(PLAIN_BATCH_MATMUL, 'wasm')) wasmKernelState = 'registered';
    else if (looksLikeWasmBackend(tf.backend())) {
      tf.registerKernel({ kernelName: PLAIN_BATCH_MATMUL, backendName: 'wasm', kernelFunc: kernelFunc as unknown as tf.KernelFunc });
      wasmKernelState = 'registered';
    } else wasmKernelState = 'unavailable';
  }
  return wasmKernelState === 'registered';
}

/**
 * a [batch, M, K] · b [batch, K, N] → [batch, M, N], float32, neither operand transposed. Not
 * differentiable on its own: the fast ops call it inside tf.customGrad. The caller disposes the result.
 */
export function plainBatchMatMul(a: tf.Tensor3D, b: tf.Tensor3D): tf.Tensor3D {
  if (a.shape[0] !== b.shape[0] || a.shape[2] !== b.shape[1]) {
    throw new Error(`plainBatchMatMul: shapes ${JSON.stringify(a.shape)} and ${JSON.stringify(b.shape)} do not chain`);
  }
  if (a.shape[0] === 1) {
    return tf.tidy(() => tf.reshape(tf.matMul(tf.reshape(a, a.shape.slice(1) as [number, number]), tf.reshape(b, b.shape.slice(1) as [number, number])), [1, a.shape[1], b.shape[2]]));
  }
  if (tf.getBackend() === 'wasm' && a.dtype === 'float32' && b.dtype === 'float32' && wasmKernelReady()) {
    return tf.engine().runKernel(PLAIN_BATCH_MATMUL, { a, b }, {}) as tf.Tensor3D;
  }
  return tf.matMul(a, b);
}
