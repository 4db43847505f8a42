import { nodeFs } from './node-fs';
import { openSource, type ByteSource } from './byte-source';
import { allocate, BYTES_PER_ELEMENT, numElements, type AnyTypedArray, type DType, type TensorData } from './dtype';
import { TensorFileError } from './errors';
import type { TensorFileReader, TensorInfo } from './tensor-file';
import { withAtomicFile } from './atomic';

const FROM_ST: Record<string, DType> = {
  F32: 'float32',
  F16: 'float16',
  BF16: 'bfloat16',
  F64: 'float64',
  I64: 'int64',
  I32: 'int32',
  I16: 'int16',
  I8: 'int8',
  U8: 'uint8',
  BOOL: 'bool',
};
const TO_ST: Record<DType, string> = Object.fromEntries(Object.entries(FROM_ST).map(([k, v]) => [v, k])) as Record<DType, string>;

interface StEntry {
  dtype: DType;
  shape: number[];
  begin: number;
  end: number;
}

/** Reads safetensors files (the Hugging Face format) tensor by tensor. */
export class SafetensorsReader implements TensorFileReader {
  readonly format = 'safetensors' as const;
  private constructor(
    private readonly src: ByteSource,
    private readonly entries: Map<string, StEntry>,
    private readonly meta: Record<string, string>,
    private readonly dataStart: number,
  ) {}

  get path(): string {
    return this.src.name;
  }

  static async open(src: string | Uint8Array | ArrayBuffer, name?: string): Promise<SafetensorsReader> {
    const source = await openSource(src, name);
    try {
      if (source.size < 8) throw new TensorFileError(`${source.name}: too short to be a safetensors file (${source.size} bytes)`);
      const lenBytes = await source.read(0, 8);
      const len = new DataView(lenBytes.buffer, lenBytes.byteOffset, 8);
      const headerLen = len.getUint32(0, true) + len.getUint32(4, true) * 2 ** 32;
      if (headerLen > 100 << 20 || 8 + headerLen > source.size) {
        throw new TensorFileError(`${source.name}: header length ${headerLen} is impossible for a ${source.size}-byte file; not a safetensors file or truncated`);
      }
      const text = new TextDecoder().decode(await source.read(8, headerLen));
      let header: Record<string, unknown>;
      try {
        header = JSON.parse(text) as Record<string, unknown>;
      } catch (e) {
        throw new TensorFileError(`${source.name}: safetensors header is not valid JSON; the file is corrupt`, { cause: e });
      }
      if (typeof header !== 'object' || header === null || Array.isArray(header)) {
        throw new TensorFileError(
          `${source.name}: safetensors header is a JSON ${Array.isArray(header) ? 'array' : header === null ? 'null' : typeof header}, not an object of tensor entries; the file is corrupt or not a safetensors file`,
        );
      }
      const dataStart = 8 + headerLen;
      const entries = new Map<string, StEntry>();
      let meta: Record<string, string> = {};
      for (const [key, value] of Object.entries(header)) {
        if (key === '__metadata__') {
          meta = (value ?? {}) as Record<string, string>;
          continue;
        }
        const v = value as { dtype: string; shape: number[]; data_offsets: [number, number] };
        const wellFormed =
          typeof v === 'object' && v !== null && typeof v.dtype === 'string' &&
          Array.isArray(v.shape) && v.shape.every((d) => Number.isInteger(d) && d >= 0) &&
          Array.isArray(v.data_offsets) && v.data_offsets.length === 2 && v.data_offsets.every((o) => Number.isInteger(o) && o >= 0);
        if (!wellFormed) {
          throw new TensorFileError(`${source.name}: header entry '${key}' is not { dtype, shape, data_offsets } (got ${JSON.stringify(value)?.slice(0, 80)}); the file is corrupt`);
        }
        const dtype = FROM_ST[v.dtype];
        if (!dtype) throw new TensorFileError(`${source.name}: tensor ${key} has unsupported dtype ${v.dtype}`);
        const [begin, end] = v.data_offsets;
        if (end - begin !== numElements(v.shape) * BYTES_PER_ELEMENT[dtype] || dataStart + end > source.size) {
          throw new TensorFileError(`${source.name}: tensor ${key} has inconsistent offsets [${begin}, ${end}] for ${v.dtype}${JSON.stringify(v.shape)}; the file is truncated or corrupt`);
        }
        entries.set(key, { dtype, shape: v.shape, begin, end });
      }
      return new SafetensorsReader(source, entries, meta, dataStart);
    } catch (e) {
      await source.close();
      throw e;
    }
  }

  keys(): string[] {
    return [...this.entries.keys()];
  }
  has(key: string): boolean {
    return this.entries.has(key);
  }
  metadata(): Record<string, string> {
    return { ...this.meta };
  }
  private entry(key: string): StEntry {
    const e = this.entries.get(key);
    if (!e) throw new TensorFileError(`${this.path}: no tensor named '${key}'`);
    return e;
  }
  async info(key: string): Promise<TensorInfo> {
    const e = this.entry(key);
    return { name: key, dtype: e.dtype, shape: [...e.shape] };
  }
  async read(key: string): Promise<TensorData> {
    const e = this.entry(key);
    const data = allocate(e.dtype, numElements(e.shape));
    await this.src.read(this.dataStart + e.begin, e.end - e.begin, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    return { dtype: e.dtype, shape: [...e.shape], data };
  }
  async close(): Promise<void> {
    await this.src.close();
  }
}

/** A tensor to write; `data` may be produced lazily so that only one tensor is in memory at a time. */
export interface TensorToWrite {
  name: string;
  dtype: DType;
  shape: number[];
  data: AnyTypedArray | (() => AnyTypedArray | Promise<AnyTypedArray>);
}

function headerBytes(tensors: readonly TensorToWrite[], metadata?: Record<string, string>): Uint8Array {
  const header: Record<string, unknown> = {};
  if (metadata && Object.keys(metadata).length) header.__metadata__ = metadata;
  let offset = 0;
  for (const t of tensors) {
    const bytes = numElements(t.shape) * BYTES_PER_ELEMENT[t.dtype];
    header[t.name] = { dtype: TO_ST[t.dtype], shape: t.shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  let text = JSON.stringify(header);
  text += ' '.repeat((8 - ((8 + new TextEncoder().encode(text).length) % 8)) % 8);
  const json = new TextEncoder().encode(text);
  const out = new Uint8Array(8 + json.length);
  const v = new DataView(out.buffer);
  v.setUint32(0, json.length % 2 ** 32, true);
  v.setUint32(4, Math.floor(json.length / 2 ** 32), true);
  out.set(json, 8);
  return out;
}

async function resolveData(t: TensorToWrite): Promise<AnyTypedArray> {
  const data = typeof t.data === 'function' ? await t.data() : t.data;
  const want = numElements(t.shape);
  if (data.length !== want) throw new TensorFileError(`tensor ${t.name}: ${data.length} values for shape ${JSON.stringify(t.shape)} (${want})`);
  return data;
}

/** Writes a safetensors file atomically, streaming one tensor at a time. */
export async function writeSafetensors(path: string, tensors: readonly TensorToWrite[], metadata?: Record<string, string>): Promise<void> {
  const names = new Set<string>();
  for (const t of tensors) {
    if (names.has(t.name)) throw new TensorFileError(`${path}: tensor name ${t.name} appears twice`);
    names.add(t.name);
  }
  const { open } = await nodeFs();
  await withAtomicFile(path, async (tmp) => {
    const fh = await open(tmp, 'w');
    try {
      await fh.write(headerBytes(tensors, metadata));
      for (const t of tensors) {
        const data = await resolveData(t);
        await fh.write(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
      }
    } finally {
      await fh.close();
    }
  });
}

/** Encodes tensors as safetensors bytes in memory (browsers, small files). */
export async function encodeSafetensors(tensors: readonly TensorToWrite[], metadata?: Record<string, string>): Promise<Uint8Array> {
  const head = headerBytes(tensors, metadata);
  const datas = [];
  for (const t of tensors) datas.push(await resolveData(t));
  const total = head.length + datas.reduce((s, d) => s + d.byteLength, 0);
  const out = new Uint8Array(total);
  out.set(head, 0);
  let p = head.length;
  for (const d of datas) {
    out.set(new Uint8Array(d.buffer, d.byteOffset, d.byteLength), p);
    p += d.byteLength;
  }
  return out;
}

export function tensorToWrite(name: string, t: TensorData): TensorToWrite {
  return { name, dtype: t.dtype, shape: t.shape, data: t.data };
}
