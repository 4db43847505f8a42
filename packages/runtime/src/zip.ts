import { Inflate } from 'fflate';
import type { ByteSource } from './byte-source';
import { TensorFileError } from './errors';
import { crc32 } from './crc32';

/** One member of a zip archive, as its central directory describes it. */
export interface ZipEntry {
  name: string;
  method: number; // 0 = stored, 8 = deflate
  compressedSize: number;
  size: number;
  localHeaderOffset: number;
  /** CRC-32 of the uncompressed bytes, as the central directory records it. */
  crc32: number;
}

const SIG_EOCD = 0x06054b50;
const SIG_ZIP64_LOCATOR = 0x07064b50;
const SIG_ZIP64_EOCD = 0x06064b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_LOCAL = 0x04034b50;

function u64(view: DataView, at: number): number {
  const lo = view.getUint32(at, true);
  const hi = view.getUint32(at + 4, true);
  return hi * 2 ** 32 + lo;
}

/** Lists the members of a zip archive (zip64 included) from its central directory. */
export async function readZipDirectory(src: ByteSource): Promise<ZipEntry[]> {
  const tailLen = Math.min(src.size, 22 + 0xffff);
  if (src.size < 22) throw new TensorFileError(`${src.name}: not a zip archive (only ${src.size} bytes); the file is truncated or not an .npz`);
  const tail = await src.read(src.size - tailLen, tailLen);
  const tv = new DataView(tail.buffer, tail.byteOffset, tail.byteLength);
  let eocd = -1;
  for (let i = tailLen - 22; i >= 0; i--) {
    if (tv.getUint32(i, true) === SIG_EOCD) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) {
    throw new TensorFileError(
      `${src.name}: not a zip archive (no end-of-central-directory record); the file is truncated or is not an .npz`,
    );
  }
  let count = tv.getUint16(eocd + 10, true);
  let cdSize = tv.getUint32(eocd + 12, true);
  let cdOffset = tv.getUint32(eocd + 16, true);
  if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
    const locAt = eocd - 20;
    if (locAt < 0 || tv.getUint32(locAt, true) !== SIG_ZIP64_LOCATOR) {
      throw new TensorFileError(`${src.name}: zip64 archive without its locator record; the file is corrupt`);
    }
    const z64Offset = u64(tv, locAt + 8);
    const rec = await src.read(z64Offset, 56);
    const rv = new DataView(rec.buffer, rec.byteOffset, rec.byteLength);
    if (rv.getUint32(0, true) !== SIG_ZIP64_EOCD) throw new TensorFileError(`${src.name}: bad zip64 end record; the file is corrupt`);
    count = u64(rv, 32);
    cdSize = u64(rv, 40);
    cdOffset = u64(rv, 48);
  }
  if (cdOffset + cdSize > src.size) {
    throw new TensorFileError(`${src.name}: central directory lies past the end of the file; the file is truncated`);
  }
  const cd = await src.read(cdOffset, cdSize);
  const v = new DataView(cd.buffer, cd.byteOffset, cd.byteLength);
  const entries: ZipEntry[] = [];
  let p = 0;
  const utf8 = new TextDecoder();
  for (let k = 0; k < count; k++) {
    if (p + 46 > cd.length || v.getUint32(p, true) !== SIG_CENTRAL) {
      throw new TensorFileError(`${src.name}: corrupt central directory at entry ${k}`);
    }
    const flags = v.getUint16(p + 8, true);
    const method = v.getUint16(p + 10, true);
    const crc = v.getUint32(p + 16, true);
    let compressedSize = v.getUint32(p + 20, true);
    let size = v.getUint32(p + 24, true);
    const nameLen = v.getUint16(p + 28, true);
    const extraLen = v.getUint16(p + 30, true);
    const commentLen = v.getUint16(p + 32, true);
    let localHeaderOffset = v.getUint32(p + 42, true);
    const name = utf8.decode(cd.subarray(p + 46, p + 46 + nameLen));
    if (flags & 1) throw new TensorFileError(`${src.name}: member ${name} is encrypted; encrypted archives are not supported`);
    // zip64 extended information: the 0xFFFFFFFF fields follow in a fixed order.
    let e = p + 46 + nameLen;
    const eEnd = e + extraLen;
    while (e + 4 <= eEnd) {
      const id = v.getUint16(e, true);
      const len = v.getUint16(e + 2, true);
      if (id === 0x0001) {
        let q = e + 4;
        if (size === 0xffffffff) {
          size = u64(v, q);
          q += 8;
        }
        if (compressedSize === 0xffffffff) {
          compressedSize = u64(v, q);
          q += 8;
        }
        if (localHeaderOffset === 0xffffffff) localHeaderOffset = u64(v, q);
      }
      e += 4 + len;
    }
    entries.push({ name, method, compressedSize, size, localHeaderOffset, crc32: crc });
    p += 46 + nameLen + extraLen + commentLen;
  }
  return entries;
}

/** Byte offset of a member's data (after its local header). */
export async function zipDataOffset(src: ByteSource, entry: ZipEntry): Promise<number> {
  const h = await src.read(entry.localHeaderOffset, 30);
  const v = new DataView(h.buffer, h.byteOffset, h.byteLength);
  if (v.getUint32(0, true) !== SIG_LOCAL) throw new TensorFileError(`${src.name}: bad local header for ${entry.name}; the file is corrupt`);
  const dataAt = entry.localHeaderOffset + 30 + v.getUint16(26, true) + v.getUint16(28, true);
  if (dataAt + entry.compressedSize > src.size) {
    throw new TensorFileError(`${src.name}: member ${entry.name} runs past the end of the file; the file is truncated`);
  }
  return dataAt;
}

const CHUNK = 4 << 20;

function checkCrc(src: ByteSource, entry: ZipEntry, got: number): void {
  if (got !== entry.crc32) {
    throw new TensorFileError(
      `${src.name}: member ${entry.name} fails its CRC-32 check (stored ${entry.crc32.toString(16).padStart(8, '0')}, ` +
        `computed ${got.toString(16).padStart(8, '0')}); the file is corrupt: download or copy it again`,
    );
  }
}

/**
 * Streams a member's uncompressed bytes to `sink` in order, chunk by chunk, without holding the
 * whole member in memory. `sink` returns false to stop early. When the whole member is streamed,
 * its CRC-32 is checked against the central directory's and a mismatch throws TensorFileError
 * (after the last chunk reached `sink`: callers must not trust their output until this returns).
 */
export async function streamZipEntry(
  src: ByteSource,
  entry: ZipEntry,
  sink: (chunk: Uint8Array) => boolean | void,
): Promise<void> {
  const start = await zipDataOffset(src, entry);
  if (entry.method === 0) {
    let crc = 0;
    for (let off = 0; off < entry.size; off += CHUNK) {
      const n = Math.min(CHUNK, entry.size - off);
      const chunk = await src.read(start + off, n);
      crc = crc32(chunk, crc);
      if (sink(chunk) === false) return;
    }
    checkCrc(src, entry, crc);
    return;
  }
  if (entry.method !== 8) {
    throw new TensorFileError(`${src.name}: member ${entry.name} uses zip method ${entry.method}; only stored and deflate are supported`);
  }
  let stop = false;
  let produced = 0;
  let crc = 0;
  const inflate = new Inflate((chunk) => {
    if (stop) return;
    produced += chunk.length;
    crc = crc32(chunk, crc);
    if (sink(chunk) === false) stop = true;
  });
  try {
    for (let off = 0; off < entry.compressedSize && !stop; off += CHUNK) {
      const n = Math.min(CHUNK, entry.compressedSize - off);
      // Copy: fflate may keep a reference to the pushed chunk.
      const piece = (await src.read(start + off, n)).slice();
      inflate.push(piece, off + n >= entry.compressedSize);
    }
  } catch (e) {
    if (e instanceof TensorFileError) throw e;
    throw new TensorFileError(`${src.name}: member ${entry.name} does not inflate (${(e as Error).message}); the file is corrupt`, { cause: e });
  }
  if (!stop && produced !== entry.size) {
    throw new TensorFileError(`${src.name}: member ${entry.name} inflated to ${produced} bytes, expected ${entry.size}; the file is corrupt`);
  }
  if (!stop) checkCrc(src, entry, crc);
}
