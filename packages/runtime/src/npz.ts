import { openSource, type ByteSource } from './byte-source';
import { allocate, BYTES_PER_ELEMENT, numElements, type TensorData } from './dtype';
import { TensorFileError } from './errors';
import { encodeNpyHeader, npyDataBytes, parseNpyHeader, swapBytes, type NpyHeader } from './npy';
import type { TensorFileReader, TensorInfo } from './tensor-file';
import { readZipDirectory, streamZipEntry, type ZipEntry } from './zip';
import { writeFileAtomic } from './atomic';
import { crc32 } from './crc32';

/** Reads `.npz` archives (numpy.savez / savez_compressed) member by member. */
export class NpzReader implements TensorFileReader {
  readonly format = 'npz' as const;
  private readonly headers = new Map<string, NpyHeader>();

  private constructor(
    private readonly src: ByteSource,
    private readonly entries: Map<string, ZipEntry>,
  ) {}

  get path(): string {
    return this.src.name;
  }

  static async open(src: string | Uint8Array | ArrayBuffer, name?: string): Promise<NpzReader> {
    const source = await openSource(src, name);
    try {
      const list = await readZipDirectory(source);
      const entries = new Map<string, ZipEntry>();
      for (const e of list) {
        if (e.name.endsWith('/')) continue;
        entries.set(e.name.endsWith('.npy') ? e.name.slice(0, -4) : e.name, e);
      }
      return new NpzReader(source, entries);
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
    return {};
  }

  private entry(key: string): ZipEntry {
    const e = this.entries.get(key);
    if (!e) throw new TensorFileError(`${this.path}: no array named '${key}' (has: ${this.keys().slice(0, 20).join(', ')}${this.entries.size > 20 ? ', …' : ''})`);
    return e;
  }

  private async header(key: string): Promise<NpyHeader> {
    const cached = this.headers.get(key);
    if (cached) return cached;
    const entry = this.entry(key);
    let buf = new Uint8Array(0);
    let header: NpyHeader | null = null;
    const label = `${this.path}:${key}`;
    await streamZipEntry(this.src, entry, (chunk) => {
      const next = new Uint8Array(buf.length + chunk.length);
      next.set(buf);
      next.set(chunk, buf.length);
      buf = next;
      header = parseNpyHeader(buf, label);
      return header === null && buf.length < 1 << 20;
    });
    if (!header) throw new TensorFileError(`${label}: .npy header is truncated`);
    this.checkSize(key, header, entry);
    this.headers.set(key, header);
    return header;
  }

  private checkSize(key: string, h: NpyHeader, entry: ZipEntry): void {
    const want = h.dataOffset + npyDataBytes(h);
    if (entry.size !== want) {
      throw new TensorFileError(
        `${this.path}:${key}: member holds ${entry.size} bytes but its header (${h.dtype} ${JSON.stringify(h.shape)}) needs ${want}; the file is corrupt`,
      );
    }
  }

  async info(key: string): Promise<TensorInfo> {
    const h = await this.header(key);
    return { name: key, dtype: h.dtype, shape: [...h.shape] };
  }

  async read(key: string): Promise<TensorData> {
    const entry = this.entry(key);
    const label = `${this.path}:${key}`;
    let header: NpyHeader | null = this.headers.get(key) ?? null;
    let headBuf = new Uint8Array(0);
    let target: Uint8Array | null = null;
    let data: TensorData['data'] | null = null;
    let written = 0;
    const place = (bytes: Uint8Array) => {
      const n = Math.min(bytes.length, target!.length - written);
      target!.set(bytes.subarray(0, n), written);
      written += n;
    };
    await streamZipEntry(this.src, entry, (chunk) => {
      if (!target) {
        const next = new Uint8Array(headBuf.length + chunk.length);
        next.set(headBuf);
        next.set(chunk, headBuf.length);
        headBuf = next;
        header = header ?? parseNpyHeader(headBuf, label);
        if (!header) return headBuf.length < 1 << 20;
        this.checkSize(key, header, entry);
        data = allocate(header.dtype, numElements(header.shape));
        target = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
        place(headBuf.subarray(header.dataOffset));
        headBuf = new Uint8Array(0);
        return;
      }
      place(chunk);
    });
    if (!header || !data || !target) throw new TensorFileError(`${label}: .npy header is truncated`);
    const h = header as NpyHeader;
    if (written !== (target as Uint8Array).length) throw new TensorFileError(`${label}: data is truncated`);
    if (h.bigEndian) swapBytes(target as Uint8Array, BYTES_PER_ELEMENT[h.dtype]);
    this.headers.set(key, h);
    return { dtype: h.dtype, shape: [...h.shape], data };
  }

  async close(): Promise<void> {
    await this.src.close();
  }
}

/** Reads every array of an `.npz` into memory (small files; use NpzReader for large ones). */
export async function readNpz(src: string | Uint8Array | ArrayBuffer): Promise<Record<string, TensorData>> {
  const reader = await NpzReader.open(src);
  try {
    const out: Record<string, TensorData> = {};
    for (const k of reader.keys()) out[k] = await reader.read(k);
    return out;
  } finally {
    await reader.close();
  }
}

/** Encodes arrays as an uncompressed `.npz` (zip, stored members, zip64 when needed). */
export function encodeNpz(tensors: Record<string, TensorData>): Uint8Array {
  const parts: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let offset = 0;
  const enc = new TextEncoder();
  let count = 0;
  for (const [key, t] of Object.entries(tensors)) {
    const name = enc.encode(`${key}.npy`);
    const header = encodeNpyHeader(t.dtype, t.shape);
    const body = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
    const size = header.length + body.length;
    const crc = crc32(body, crc32(header));
    const big = size >= 0xffffffff || offset >= 0xffffffff;
    const local = new Uint8Array(30 + name.length + (big ? 20 : 0));
    const lv = new DataView(local.buffer);
    lv.setUint32(0, 0x04034b50, true);
    lv.setUint16(4, big ? 45 : 20, true);
    lv.setUint32(14, crc, true);
    lv.setUint32(18, big ? 0xffffffff : size, true);
    lv.setUint32(22, big ? 0xffffffff : size, true);
    lv.setUint16(26, name.length, true);
    lv.setUint16(28, big ? 20 : 0, true);
    local.set(name, 30);
    if (big) {
      lv.setUint16(30 + name.length, 1, true);
      lv.setUint16(32 + name.length, 16, true);
      lv.setBigUint64(34 + name.length, BigInt(size), true);
      lv.setBigUint64(42 + name.length, BigInt(size), true);
    }
    const cen = new Uint8Array(46 + name.length + (big ? 28 : 0));
    const cv = new DataView(cen.buffer);
    cv.setUint32(0, 0x02014b50, true);
    cv.setUint16(4, 45, true);
    cv.setUint16(6, big ? 45 : 20, true);
    cv.setUint32(16, crc, true);
    cv.setUint32(20, big ? 0xffffffff : size, true);
    cv.setUint32(24, big ? 0xffffffff : size, true);
    cv.setUint16(28, name.length, true);
    cv.setUint16(30, big ? 28 : 0, true);
    cv.setUint32(42, big ? 0xffffffff : offset, true);
    cen.set(name, 46);
    if (big) {
      const at = 46 + name.length;
      cv.setUint16(at, 1, true);
      cv.setUint16(at + 2, 24, true);
      cv.setBigUint64(at + 4, BigInt(size), true);
      cv.setBigUint64(at + 12, BigInt(size), true);
      cv.setBigUint64(at + 20, BigInt(offset), true);
    }
    parts.push(local, header, body);
    central.push(cen);
    offset += local.length + size;
    count++;
  }
  const cdSize = central.reduce((s, c) => s + c.length, 0);
  const eocd = new Uint8Array(22);
  const ev = new DataView(eocd.buffer);
  ev.setUint32(0, 0x06054b50, true);
  const small = count < 0xffff && offset < 0xffffffff;
  ev.setUint16(8, small ? count : 0xffff, true);
  ev.setUint16(10, small ? count : 0xffff, true);
  ev.setUint32(12, small ? cdSize : 0xffffffff, true);
  ev.setUint32(16, small ? offset : 0xffffffff, true);
  const tail: Uint8Array[] = [];
  if (!small) {
    const z = new Uint8Array(56 + 20);
    const zv = new DataView(z.buffer);
    zv.setUint32(0, 0x06064b50, true);
    zv.setBigUint64(4, 44n, true);
    zv.setUint16(12, 45, true);
    zv.setUint16(14, 45, true);
    zv.setBigUint64(24, BigInt(count), true);
    zv.setBigUint64(32, BigInt(count), true);
    zv.setBigUint64(40, BigInt(cdSize), true);
    zv.setBigUint64(48, BigInt(offset), true);
    zv.setUint32(56, 0x07064b50, true);
    zv.setBigUint64(64, BigInt(offset + cdSize), true);
    zv.setUint32(72, 1, true);
    tail.push(z);
  }
  const all = [...parts, ...central, ...tail, eocd];
  const total = all.reduce((s, c) => s + c.length, 0);
  const out = new Uint8Array(total);
  let p = 0;
  for (const c of all) {
    out.set(c, p);
    p += c.length;
  }
  return out;
}

/** Writes arrays to an uncompressed `.npz` file, atomically (temp file, then rename). */
export async function writeNpz(path: string, tensors: Record<string, TensorData>): Promise<void> {
  await writeFileAtomic(path, encodeNpz(tensors));
}

