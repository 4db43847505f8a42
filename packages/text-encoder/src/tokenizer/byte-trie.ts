/**
 * A trie over UTF-8 bytes mapping byte strings to non-negative ints (vocabulary ids). Plays the
 * role of the Darts tries SentencePiece builds over its pieces: walking one byte at a time is all
 * that the unigram Viterbi and BPE merges need.
 */
export class ByteTrie {
  /** (node · 256 + byte) → child node. Node 0 is the root. */
  private readonly children = new Map<number, number>();
  private readonly values: number[] = [-1];

  /** Number of keys. */
  size = 0;

  insert(key: Uint8Array, value: number): void {
    let node = 0;
    for (let i = 0; i < key.length; i++) {
      const k = node * 256 + key[i]!;
      let next = this.children.get(k);
      if (next === undefined) {
        next = this.values.length;
        this.values.push(-1);
        this.children.set(k, next);
      }
      node = next;
    }
    if (this.values[node] === -1) this.size += 1;
    this.values[node] = value;
  }

  /** The child of `node` along `byte`, or -1. */
  step(node: number, byte: number): number {
    return this.children.get(node * 256 + byte) ?? -1;
  }

  /** The value stored at `node`, or -1. */
  valueAt(node: number): number {
    return this.values[node]!;
  }

  /** The value of exactly key[begin, end), or -1. */
  get(key: Uint8Array, begin = 0, end = key.length): number {
    let node = 0;
    for (let i = begin; i < end; i++) {
      node = this.step(node, key[i]!);
      if (node < 0) return -1;
    }
    return this.values[node]!;
  }

  /** Length in bytes of the longest key that is a prefix of key[begin, end), or 0. */
  longestPrefix(key: Uint8Array, begin: number, end: number): number {
    let node = 0;
    let best = 0;
    for (let i = begin; i < end; i++) {
      node = this.step(node, key[i]!);
      if (node < 0) break;
      if (this.values[node]! >= 0) best = i + 1 - begin;
    }
    return best;
  }
}
