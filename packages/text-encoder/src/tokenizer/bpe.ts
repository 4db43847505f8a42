import type { Segment, SegmentationModel } from './segment';
import { oneCharLen } from './utf8';
import type { Vocabulary } from './vocab';

interface SymbolPair {
  left: number;
  right: number;
  score: number;
  size: number;
}

/** Max-heap of candidate merges: higher score first, then the leftmost (bpe_model.cc SymbolPairComparator). */
class Agenda {
  private readonly items: SymbolPair[] = [];

  get length(): number {
    return this.items.length;
  }

  private static before(a: SymbolPair, b: SymbolPair): boolean {
    return a.score > b.score || (a.score === b.score && a.left < b.left);
  }

  push(p: SymbolPair): void {
    const h = this.items;
    h.push(p);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!Agenda.before(h[i]!, h[parent]!)) break;
      [h[i], h[parent]] = [h[parent]!, h[i]!];
      i = parent;
    }
  }

  pop(): SymbolPair {
    const h = this.items;
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let best = i;
        if (l < h.length && Agenda.before(h[l]!, h[best]!)) best = l;
        if (r < h.length && Agenda.before(h[r]!, h[best]!)) best = r;
        if (best === i) break;
        [h[i], h[best]] = [h[best]!, h[i]!];
        i = best;
      }
    }
    return top;
  }
}

/**
 * Byte-pair-encoding segmentation as SentencePiece does it (bpe::Model::SampleEncode without
 * dropout): start from characters (user-defined symbols stay whole and are never merged), merge
 * the adjacent pair whose concatenation is the best-scoring piece until none is left, then split
 * any UNUSED piece back into the pair it was made of.
 */
export class BpeModel implements SegmentationModel {
  constructor(private readonly vocab: Vocabulary) {}

  encode(normalized: Uint8Array): Segment[] {
    const size = normalized.length;
    if (size === 0) return [];
    const vocab = this.vocab;
    const begin: number[] = [];
    const end: number[] = [];
    const prev: number[] = [];
    const next: number[] = [];
    const freeze: boolean[] = [];

    for (let pos = 0, index = 0; pos < size; index++) {
      const user = vocab.userDefined ? vocab.userDefined.longestPrefix(normalized, pos, size) : 0;
      const len = user > 0 ? user : Math.min(oneCharLen(normalized[pos]!), size - pos);
      begin.push(pos);
      end.push(pos + len);
      freeze.push(user > 0);
      prev.push(index - 1);
      pos += len;
      next.push(pos >= size ? -1 : index + 1);
    }

    // Reverse merges for UNUSED pieces, keyed by the merged text (the last merge seen wins, as in
    // the C++ hash map): merged piece → byte length of its left half.
    const revMerge = new Map<string, number>();
    const key = (b: number, e: number): string => String.fromCharCode(...normalized.subarray(b, e));
    const agenda = new Agenda();
    const maybeAdd = (left: number, right: number): void => {
      if (left === -1 || right === -1 || freeze[left] || freeze[right]) return;
      const id = vocab.matchable.get(normalized, begin[left]!, end[right]!);
      if (id < 0) return;
      agenda.push({ left, right, score: vocab.score(id), size: end[right]! - begin[left]! });
      if (vocab.isUnused(id)) revMerge.set(key(begin[left]!, end[right]!), end[left]! - begin[left]!);
    };

    for (let i = 1; i < begin.length; i++) maybeAdd(i - 1, i);

    while (agenda.length > 0) {
      const top = agenda.pop();
      const l = top.left;
      const r = top.right;
      const lLen = end[l]! - begin[l]!;
      const rLen = end[r]! - begin[r]!;
      if (lLen === 0 || rLen === 0 || lLen + rLen !== top.size) continue;
      end[l] = end[r]!;
      next[l] = next[r]!;
      if (next[r]! >= 0) prev[next[r]!] = l;
      end[r] = begin[r]!; // empty
      maybeAdd(prev[l]!, l);
      maybeAdd(l, next[l]!);
    }

    const out: Segment[] = [];
    const resegment = (b: number, e: number): void => {
      const id = vocab.idOfBytes(normalized, b, e);
      if (!vocab.isUnused(id)) {
        out.push({ begin: b, end: e, id });
        return;
      }
      const leftLen = revMerge.get(key(b, e));
      if (leftLen === undefined) {
        out.push({ begin: b, end: e, id });
        return;
      }
      resegment(b, b + leftLen);
      resegment(b + leftLen, e);
    };
    for (let i = 0; i !== -1; i = next[i]!) resegment(begin[i]!, end[i]!);
    return out;
  }
}
