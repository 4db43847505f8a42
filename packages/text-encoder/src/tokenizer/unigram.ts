import type { Segment, SegmentationModel } from './segment';
import { oneCharLen } from './utf8';
import type { Vocabulary } from './vocab';

/** Score of an unknown character below the worst piece (unigram_model.cc kUnkPenalty). */
const UNK_PENALTY = 10;

/**
 * Unigram language-model segmentation: the Viterbi path maximising the sum of piece scores
 * (SentencePiece's unigram::Model::EncodeOptimized, working on UTF-8 byte positions). A character
 * that starts no single-character piece gets an <unk> node scored min_score − 10; user-defined
 * pieces score length·max_score − 0.1 so that they always win. Sums are kept in float32 like the
 * C++ code, so ties break the same way.
 */
export class UnigramModel implements SegmentationModel {
  private readonly unkScore: number;

  constructor(private readonly vocab: Vocabulary) {
    this.unkScore = Math.fround(vocab.minScore - UNK_PENALTY);
  }

  encode(normalized: Uint8Array): Segment[] {
    const size = normalized.length;
    if (size === 0) return [];
    const vocab = this.vocab;
    const trie = vocab.matchable;
    const bestScore = new Float32Array(size + 1);
    const startsAt = new Int32Array(size + 1).fill(-1);
    const bestId = new Int32Array(size + 1).fill(-1);

    let start = 0;
    while (start < size) {
      const tillHere = bestScore[start]!;
      let hasSingleNode = false;
      const mblen = Math.min(oneCharLen(normalized[start]!), size - start);
      let node = 0;
      for (let keyPos = start; keyPos < size; ) {
        node = trie.step(node, normalized[keyPos]!);
        keyPos += 1;
        if (node < 0) break;
        const id = trie.valueAt(node);
        if (id < 0 || vocab.isUnused(id)) continue;
        const length = keyPos - start;
        // C++: user-defined → double (length·max_score − 0.1) + float; normal → float + float.
        const candidate = vocab.isUserDefined(id)
          ? Math.fround(length * vocab.maxScore) - 0.1 + tillHere
          : Math.fround(vocab.score(id) + tillHere);
        if (startsAt[keyPos] === -1 || candidate > bestScore[keyPos]!) {
          bestScore[keyPos] = candidate;
          startsAt[keyPos] = start;
          bestId[keyPos] = id;
        }
        if (!hasSingleNode && length === mblen) hasSingleNode = true;
      }
      if (!hasSingleNode) {
        const target = start + mblen;
        const candidate = Math.fround(this.unkScore + tillHere);
        if (startsAt[target] === -1 || candidate > bestScore[target]!) {
          bestScore[target] = candidate;
          startsAt[target] = start;
          bestId[target] = vocab.unkId;
        }
      }
      start += mblen;
    }

    const out: Segment[] = [];
    for (let end = size; end > 0; ) {
      const begin = startsAt[end]!;
      out.push({ begin, end, id: bestId[end]! });
      end = begin;
    }
    return out.reverse();
  }
}
