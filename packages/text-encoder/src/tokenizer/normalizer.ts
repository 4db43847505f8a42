import { TokenizerError } from '../errors';
import type { ByteTrie } from './byte-trie';
import { DoubleArray } from './darts';
import type { NormalizerSpec } from './proto';
import { ByteBuilder, decodeUtf8Char, REPLACEMENT_CHAR, SPACE_SYMBOL } from './utf8';

const SPACE = 0x20;

/**
 * SentencePiece's normaliser (src/normalizer.cc): the precompiled character map (e.g. nmt_nfkc,
 * a Darts trie of byte sequences → replacement strings, longest match wins), then whitespace
 * handling: leading/trailing/repeated whitespace removed (remove_extra_whitespaces), a dummy "▁"
 * prefix (add_dummy_prefix), spaces escaped to "▁" (escape_whitespaces). User-defined symbols pass
 * through unchanged.
 */
export class Normalizer {
  private readonly trie: DoubleArray | null = null;
  private readonly replacements: Uint8Array = new Uint8Array(0);

  constructor(
    readonly spec: NormalizerSpec,
    /** User-defined symbols (matched longest-first, never normalised). */
    private readonly userDefined: ByteTrie | null = null,
    private readonly treatWhitespaceAsSuffix = false,
  ) {
    const blob = spec.precompiledCharsmap;
    if (blob.length > 0) {
      if (blob.length <= 4) throw new TokenizerError('the normaliser blob (precompiled_charsmap) of the SentencePiece model is broken');
      const trieSize = new DataView(blob.buffer, blob.byteOffset, 4).getUint32(0, true);
      if (trieSize >= blob.length) {
        throw new TokenizerError('the normaliser trie size exceeds its blob (precompiled_charsmap); the SentencePiece model is corrupt');
      }
      this.trie = new DoubleArray(blob.subarray(4, 4 + trieSize));
      this.replacements = blob.subarray(4 + trieSize);
    }
  }

  /**
   * Normalises one prefix of input[pos, end): returns the replacement bytes and how many input
   * bytes they stand for (Normalizer::NormalizePrefix).
   */
  normalizePrefix(input: Uint8Array, pos: number, end: number): { out: Uint8Array; consumed: number } {
    if (this.userDefined) {
      const n = this.userDefined.longestPrefix(input, pos, end);
      if (n > 0) return { out: input.subarray(pos, pos + n), consumed: n };
    }
    let longest = 0;
    let value = 0;
    if (this.trie) {
      this.trie.commonPrefixSearch(input, pos, end, (v, len) => {
        if (longest === 0 || len > longest) {
          longest = len;
          value = v;
        }
      });
    }
    if (longest === 0) {
      const c = decodeUtf8Char(input, pos, end);
      if (!c.valid) return { out: REPLACEMENT_CHAR, consumed: 1 };
      return { out: input.subarray(pos, pos + c.length), consumed: c.length };
    }
    let stop = value;
    while (stop < this.replacements.length && this.replacements[stop] !== 0) stop++;
    return { out: this.replacements.subarray(value, stop), consumed: longest };
  }

  /** Normalises UTF-8 bytes (Normalizer::Normalize, without the offsets mapping). */
  normalize(input: Uint8Array): Uint8Array {
    const spec = this.spec;
    const end = input.length;
    let pos = 0;
    if (end === 0) return new Uint8Array(0);
    if (spec.removeExtraWhitespaces) {
      while (pos < end) {
        const p = this.normalizePrefix(input, pos, end);
        if (!(p.out.length === 1 && p.out[0] === SPACE)) break;
        pos += p.consumed;
      }
    }
    if (pos >= end) return new Uint8Array(0);

    const out = new ByteBuilder(input.length * 3);
    const addWs = (): void => {
      if (spec.escapeWhitespaces) out.append(SPACE_SYMBOL);
      else out.push(SPACE);
    };
    if (!this.treatWhitespaceAsSuffix && spec.addDummyPrefix) addWs();

    let isPrevSpace = spec.removeExtraWhitespaces;
    while (pos < end) {
      const p = this.normalizePrefix(input, pos, end);
      let sp = p.out;
      if (isPrevSpace) {
        let k = 0;
        while (k < sp.length && sp[k] === SPACE) k++;
        sp = sp.subarray(k);
      }
      if (sp.length > 0) {
        for (let n = 0; n < sp.length; n++) {
          const c = sp[n]!;
          if (spec.escapeWhitespaces && c === SPACE) out.append(SPACE_SYMBOL);
          else out.push(c);
        }
        isPrevSpace = sp[sp.length - 1] === SPACE;
      }
      pos += p.consumed;
      if (!spec.removeExtraWhitespaces) isPrevSpace = false;
    }

    if (spec.removeExtraWhitespaces) {
      const space = spec.escapeWhitespaces ? SPACE_SYMBOL : Uint8Array.of(SPACE);
      while (out.endsWith(space)) out.truncate(out.length - space.length);
    }
    if (this.treatWhitespaceAsSuffix && spec.addDummyPrefix) addWs();
    return out.bytes();
  }
}
