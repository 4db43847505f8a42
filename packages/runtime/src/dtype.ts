/** Element types that TIPS tensor files may hold. */
export type DType = 'float32' | 'float16' | 'bfloat16' | 'float64' | 'int64' | 'int32' | 'int16' | 'int8' | 'uint8' | 'bool';

/** Typed array that backs each dtype in memory (float16 and bfloat16 stay as raw 16-bit words). */
export type TypedArrayFor<D extends DType> = D extends 'float32'
  ? Float32Array
  : D extends 'float64'
    ? Float64Array
    : D extends 'float16' | 'bfloat16'
      ? Uint16Array
      : D extends 'int64'
        ? BigInt64Array
        : D extends 'int32'
          ? Int32Array
          : D extends 'int16'
            ? Int16Array
            : D extends 'int8'
              ? Int8Array
              : Uint8Array;

export type AnyTypedArray =
  | Float32Array
  | Float64Array
  | Uint16Array
  | BigInt64Array
  | Int32Array
  | Int16Array
  | Int8Array
  | Uint8Array;

export const BYTES_PER_ELEMENT: Record<DType, number> = {
  float32: 4,
  float16: 2,
  bfloat16: 2,
  float64: 8,
  int64: 8,
  int32: 4,
  int16: 2,
  int8: 1,
  uint8: 1,
  bool: 1,
};

/** A tensor read from or written to a file: C-order data with its shape and dtype. */
export interface TensorData {
  dtype: DType;
  shape: number[];
  data: AnyTypedArray;
}

export function numElements(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Allocates a typed array of `n` elements for `dtype`, over fresh memory. */
export function allocate(dtype: DType, n: number): AnyTypedArray {
  switch (dtype) {
    case 'float32':
      return new Float32Array(n);
    case 'float64':
      return new Float64Array(n);
    case 'float16':
    case 'bfloat16':
      return new Uint16Array(n);
    case 'int64':
      return new BigInt64Array(n);
    case 'int32':
      return new Int32Array(n);
    case 'int16':
      return new Int16Array(n);
    case 'int8':
      return new Int8Array(n);
    case 'uint8':
    case 'bool':
      return new Uint8Array(n);
  }
}

/** Converts one IEEE half-precision word to a JS number. */
export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** Converts a number to the nearest IEEE half-precision word (round to nearest even). */
export function floatToHalf(value: number): number {
  f32[0] = value;
  const x = u32[0]!;
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  let e = exp - 127 + 15;
  if (e >= 31) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let half = mant >> shift;
    const rem = mant & ((1 << shift) - 1);
    const mid = 1 << (shift - 1);
    if (rem > mid || (rem === mid && half & 1)) half++;
    return sign | half;
  }
  let half = (e << 10) | (mant >> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && half & 1)) half++;
  return sign | half;
}

/**
 * Returns the tensor's values as a Float32Array (float16/bfloat16/float64/int types converted;
 * float32 returned as is, without a copy).
 */
export function toFloat32(t: TensorData): Float32Array {
  const { dtype, data } = t;
  if (dtype === 'float32') return data as Float32Array;
  const n = data.length;
  const out = new Float32Array(n);
  if (dtype === 'float16') {
    const h = data as Uint16Array;
    for (let i = 0; i < n; i++) out[i] = halfToFloat(h[i]!);
  } else if (dtype === 'bfloat16') {
    const h = data as Uint16Array;
    const o32 = new Uint32Array(out.buffer);
    for (let i = 0; i < n; i++) o32[i] = h[i]! << 16;
  } else if (dtype === 'int64') {
    const b = data as BigInt64Array;
    for (let i = 0; i < n; i++) out[i] = Number(b[i]!);
  } else {
    const a = data as Exclude<AnyTypedArray, BigInt64Array>;
    for (let i = 0; i < n; i++) out[i] = a[i]!;
  }
  return out;
}

/** Returns integer values as an Int32Array (int64 narrowed; throws if a value does not fit). */
export function toInt32(t: TensorData): Int32Array {
  const { dtype, data } = t;
  if (dtype === 'int32') return data as Int32Array;
  const n = data.length;
  const out = new Int32Array(n);
  if (dtype === 'int64') {
    const b = data as BigInt64Array;
    for (let i = 0; i < n; i++) {
      const v = b[i]!;
      if (v > 2147483647n || v < -2147483648n) throw new RangeError(`int64 value ${v} does not fit in int32`);
      out[i] = Number(v);
    }
    return out;
  }
  const f = toFloat32(t);
  for (let i = 0; i < n; i++) out[i] = f[i]!;
  return out;
}
