import * as tf from '@tensorflow/tfjs-core';

/**
 * Kernels that tfjs-backend-wasm lacks in a fast form, registered on it under our own names.
 *
 * - TipsPlainBatchMatMul: a[i]·b[i] at XNNPACK speed. tfjs-backend-wasm sends a matmul to XNNPACK
 *   only when neither operand is transposed and the batch is 1; every other form falls back to a
 *   scalar triple loop (~0.5–1 GFLOP/s, see docs/performance.md). Slicing the batch apart with
 *   tf.slice / tf.unstack is no way out: the wasm Slice kernel copies the whole input for every
 *   slice it cuts. This kernel registers, for each batch entry, tensor ids that alias the operands'
 *   memory on the wasm heap (no copy) and calls the backend's own exported `BatchMatMul` on them,
 *   so each product takes the XNNPACK path; the aliases are unregistered right after (which also
 *   frees the XNNPACK operator cached on them).
 * - TipsSumRows: Σ over the rows of [M, N], read straight from the heap in float64 (tf.sum over
 *   axis 0 transposes first: ~2.5–3.5× slower at the sizes of bias and LayerNorm gradients).
 *
 * They rely on tfjs-backend-wasm 4.x internals (`dataIdMap`, `makeOutput`, `wasm.HEAPF32`,
 * `wasm.tfjs.registerTensor`, `wasm.tfjs.disposeData`, `wasm.cwrap('BatchMatMul')`), checked once;
 * when those are missing the plain tfjs ops run instead (correct, slower).
 */
export const PLAIN_BATCH_MATMUL = 'TipsPlainBatchMatMul';
export const SUM_ROWS = 'TipsSumRows';

interface WasmDataLike {
  id: number;
  memoryOffset: number;
}
interface WasmModuleLike {
  cwrap(name: string, ret: null, args: string[]): (...args: unknown[]) => void;
  HEAPF32: Float32Array;
  tfjs: { registerTensor(id: number, size: number, offset: number): void; disposeData(id: number): void };
}
interface WasmBackendLike {
  wasm: WasmModuleLike;
  dataIdMap: { get(dataId: object): WasmDataLike | undefined };
  dataIdNextNumber: number;
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
}
type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: unknown };

function looksLikeWasmBackend(b: unknown): b is WasmBackendLike {
  const w = b as Partial<WasmBackendLike> | null;
  return (
    !!w &&
    typeof w.makeOutput === 'function' &&
    typeof w.dataIdNextNumber === 'number' &&
    typeof w.dataIdMap?.get === 'function' &&
    typeof w.wasm?.cwrap === 'function' &&
    w.wasm?.HEAPF32 instanceof Float32Array &&
    typeof w.wasm?.tfjs?.registerTensor === 'function' &&
    typeof w.wasm?.tfjs?.disposeData === 'function'
  );
}

const offsetOf = (be: WasmBackendLike, t: tf.TensorInfo) => be.dataIdMap.get(t.dataId)!.memoryOffset;

type WasmMatMul = (aId: number, aShape: Uint8Array, aRank: number, bId: number, bShape: Uint8Array, bRank: number, ta: number, tb: number, outId: number) => void;
const wrapped = new WeakMap<object, WasmMatMul>();

function shapeBytes(shape: number[]): Uint8Array {
  return new Uint8Array(new Int32Array(shape).buffer);
}

function plainBatchMatMulKernel({ inputs, backend }: KernelArgs): tf.TensorInfo {
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
  const aBase = offsetOf(be, a);
  const bBase = offsetOf(be, b);
  const oBase = offsetOf(be, out);
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

function sumRowsKernel({ inputs, backend }: KernelArgs): tf.TensorInfo {
  const x = inputs['x']!;
  const be = backend as WasmBackendLike;
  const [M, N] = x.shape as [number, number];
  const acc = new Float64Array(N);
  const h = be.wasm.HEAPF32;
  const base = offsetOf(be, x) >>> 2;
  let i = 0;
  // Four rows per pass: fewer accumulator round trips (measured ~1.6× faster than one at a time).
  for (; i + 4 <= M; i += 4) {
    const r0 = base + i * N;
    const r1 = r0 + N;
    const r2 = r1 + N;
    const r3 = r2 + N;
    for (let j = 0; j < N; j++) acc[j] += h[r0 + j]! + h[r1 + j]! + (h[r2 + j]! + h[r3 + j]!);
  }
  for (; i < M; i++) {
    const r = base + i * N;
    for (let j = 0; j < N; j++) acc[j] += h[r + j]!;
  }
  const out = be.makeOutput([N], 'float32');
  // makeOutput may grow the heap (new buffer): take the view after it.
  be.wasm.HEAPF32.set(acc, offsetOf(be, out) >>> 2);
  return out;
}

let wasmKernelState: 'unknown' | 'registered' | 'unavailable' = 'unknown';

function wasmKernelsReady(): boolean {
  if (wasmKernelState === 'unknown') {
    if (tf.getKernel(PLAIN_BATCH_MATMUL, 'wasm') && tf.getKernel(SUM_ROWS, 'wasm')) wasmKernelState = 'registered';
    else if (looksLikeWasmBackend(tf.backend())) {
      if (!tf.getKernel(PLAIN_BATCH_MATMUL, 'wasm')) tf.registerKernel({ kernelName: PLAIN_BATCH_MATMUL, backendName: 'wasm', kernelFunc: plainBatchMatMulKernel as unknown as tf.KernelFunc });
      if (!tf.getKernel(SUM_ROWS, 'wasm')) tf.registerKernel({ kernelName: SUM_ROWS, backendName: 'wasm', kernelFunc: sumRowsKernel as unknown as tf.KernelFunc });
      wasmKernelState = 'registered';
    } else wasmKernelState = 'unavailable';
  }
  return wasmKernelState === 'registered';
}

const onWasm = (...ts: tf.Tensor[]) => tf.getBackend() === 'wasm' && ts.every((t) => t.dtype === 'float32') && wasmKernelsReady();

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
  if (onWasm(a, b)) return tf.engine().runKernel(PLAIN_BATCH_MATMUL, { a, b }, {}) as tf.Tensor3D;
  return tf.matMul(a, b);
}

/**
 * Σ over the rows of a 2-D tensor, [M, N] → [N] (bias and LayerNorm-affine gradients). Not
 * differentiable on its own. The caller disposes the result.
 */
export function sumRows(x: tf.Tensor2D): tf.Tensor1D {
  if (onWasm(x)) return tf.engine().runKernel(SUM_ROWS, { x }, {}) as tf.Tensor1D;
  return tf.sum(x, 0);
}
