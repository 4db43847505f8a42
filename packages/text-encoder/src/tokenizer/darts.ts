/**
 * Read-only Darts-clone double-array trie, the format of the trie inside SentencePiece's
 * `precompiled_charsmap` (third_party/darts_clone/darts.h). Each unit is a little-endian uint32:
 * bit 8 = has leaf, bits 0–7 and 31 = label, value = low 31 bits of a leaf unit, offset =
 * (unit >> 10) << ((unit & 512) >> 6).
 */
export class DoubleArray {
  private readonly units: Uint32Array;

  /** `blob` holds the units (its length a multiple of 4). */
  constructor(blob: Uint8Array) {
    const n = blob.length >>> 2;
    this.units = new Uint32Array(n);
    const view = new DataView(blob.buffer, blob.byteOffset, n * 4);
    for (let i = 0; i < n; i++) this.units[i] = view.getUint32(i * 4, true);
  }

  get size(): number {
    return this.units.length;
  }

  /**
   * Every key of the trie that is a prefix of key[begin, end): calls `found(value, length)` for
   * each, shortest first (Darts' commonPrefixSearch).
   */
  commonPrefixSearch(key: Uint8Array, begin: number, end: number, found: (value: number, length: number) => void): void {
    const units = this.units;
    let nodePos = 0;
    let unit = units[0]!;
    nodePos ^= offset(unit);
    for (let i = begin; i < end; i++) {
      const label = key[i]!;
      nodePos ^= label;
      unit = units[nodePos]!;
      if (unit === undefined || (unit & 0x800000ff) >>> 0 !== label) return;
      nodePos ^= offset(unit);
      if ((unit >>> 8) & 1) found(units[nodePos]! & 0x7fffffff, i + 1 - begin);
    }
  }
}

function offset(unit: number): number {
  return (unit >>> 10) << ((unit & 0x200) >>> 6);
}
