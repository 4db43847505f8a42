import { TensorFileError } from './errors';
import { BYTES_PER_ELEMENT, numElements, type DType, type TensorData } from './dtype';

/** What a .npy header says about its array. */
export interface NpyHeader {
  dtype: DType;
  shape: number[];
  /** Byte length of magic + header: where the data starts. */
  dataOffset: number;
  bigEndian: boolean;
}

const DESCR: Record<string, DType> = {
  f4: 'float32',
  f2: 'float16',
  f8: 'float64',
  i8: 'int64',
  i4: 'int32',
  i2: 'int16',
  i1: 'int8',
  u1: 'uint8',
  b1: 'bool',
};

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/**
 * Parses a .npy header from the first bytes of the file. Returns null when `bytes` is too short to
 * hold the whole header (read more and call again).
 */
export function parseNpyHeader(bytes: Uint8Array, name: string): NpyHeader | null {
  if (bytes.length < 10) return null;
  for (let i = 0; i < MAGIC.length; i++) {
    if (bytes[i] !== MAGIC[i]) {
      if (bytes[0] === 0x80) {
        throw new TensorFileError(`${name}: this is a Python pickle, not a .npy array; re-save it with numpy.savez(..., allow_pickle=False) arrays only`);
      }
      throw new TensorFileError(`${name}: not a .npy array (bad magic bytes)`);
    }
  }
  const major = bytes[6]!;
  let headerLen: number;
  let start: number;
  if (major === 1) {
    headerLen = bytes[8]! | (bytes[9]! << 8);
    start = 10;
  } else if (major === 2 || major === 3) {
    if (bytes.length < 12) return null;
    headerLen = (bytes[8]! | (bytes[9]! << 8) | (bytes[10]! << 16)) + bytes[11]! * 2 ** 24;
    start = 12;
  } else {
    throw new TensorFileError(`${name}: unsupported .npy format version ${major}`);
  }
  if (bytes.length < start + headerLen) return null;
  const text = new TextDecoder('latin1').decode(bytes.subarray(start, start + headerLen));
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(text)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(text)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(text)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) {
    if (/'descr'\s*:\s*\[/.test(text)) {
      throw new TensorFileError(`${name}: structured (record) arrays are not supported; save plain numeric arrays`);
    }
    throw new TensorFileError(`${name}: malformed .npy header: ${text.trim()}`);
  }
  if (fortran === 'True') {
    throw new TensorFileError(
      `${name}: array is stored in Fortran order; only C order is supported. Save it with numpy.ascontiguousarray(x) first`,
    );
  }
  const order = descr[0];
  const code = descr.slice(1);
  if (code === 'O' || code.startsWith('V') || code.startsWith('U') || code.startsWith('S')) {
    throw new TensorFileError(
      `${name}: dtype '${descr}' holds Python objects or strings (a pickle); only numeric arrays can be read. Save with allow_pickle=False`,
    );
  }
  const dtype = DESCR[code];
  if (!dtype) throw new TensorFileError(`${name}: unsupported dtype '${descr}' (supported: float32/16/64, int64/32/16/8, uint8, bool)`);
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map((s) => Number.parseInt(s, 10));
  if (shape.some((d) => !Number.isFinite(d) || d < 0)) throw new TensorFileError(`${name}: bad shape (${shapeText})`);
  return { dtype, shape, dataOffset: start + headerLen, bigEndian: order === '>' && BYTES_PER_ELEMENT[dtype] > 1 };
}

export function npyDataBytes(h: NpyHeader): number {
  return numElements(h.shape) * BYTES_PER_ELEMENT[h.dtype];
}

/** Swaps the byte order of every element in place (for big-endian .npy files). */
export function swapBytes(bytes: Uint8Array, width: number): void {
  for (let i = 0; i < bytes.length; i += width) {
    for (let a = i, b = i + width - 1; a < b; a++, b--) {
      const t = bytes[a]!;
      bytes[a] = bytes[b]!;
      bytes[b] = t;
    }
  }
}

const NPY_DESCR: Partial<Record<DType, string>> = {
  float32: '<f4',
  float16: '<f2',
  float64: '<f8',
  int64: '<i8',
  int32: '<i4',
  int16: '<i2',
  int8: '|i1',
  uint8: '|u1',
  bool: '|b1',
};

/** Encodes a .npy (format 1.0) header for a C-order little-endian array. */
export function encodeNpyHeader(dtype: DType, shape: readonly number[]): Uint8Array {
  const descr = NPY_DESCR[dtype];
  if (!descr) throw new TensorFileError(`.npy cannot store dtype ${dtype}`);
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  const total = 10 + header.length + 1;
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const out = new Uint8Array(10 + header.length);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  out[8] = header.length & 0xff;
  out[9] = header.length >> 8;
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  return out;
}

/** Serialises a tensor as a complete .npy file. */
export function encodeNpy(t: TensorData): Uint8Array {
  const header = encodeNpyHeader(t.dtype, t.shape);
  const body = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
  const out = new Uint8Array(header.length + body.length);
  out.set(header, 0);
  out.set(body, header.length);
  return out;
}
