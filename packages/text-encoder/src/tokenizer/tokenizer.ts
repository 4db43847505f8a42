import { loadModule } from '@tips/runtime/core';
import { TokenizerError } from '../errors';
import { asciiLower } from './ascii-lower';
import { SentencePieceProcessor, type EncodedPiece } from './processor';

/** Maximum text length of the TIPS text tower, in tokens. */
export const TIPS_MAX_LEN = 64;

export interface TokenizeOptions {
  /** Lower-case A–Z before encoding, as the official tokenizer does (default true). */
  lowerCase?: boolean;
  /**
   * How `paddings` is filled.
   * - `official` (default): exactly the official `Tokenizer.tokenize`: paddings = (ids == 0), except
   *   that when any text of the batch is longer than maxLen, every row is truncated and paddings is
   *   all zeros (for the whole batch, even rows that do have padding).
   * - `per-row`: 1 exactly at the positions after each row's own tokens (what training wants).
   */
  paddingRule?: 'official' | 'per-row';
}

/** A tokenized batch in row-major [B, maxLen] layout. */
export interface TokenizedBatch {
  /** Token ids, 0 = padding. */
  ids: Int32Array;
  /** 1 where the position is padding, else 0 (see TokenizeOptions.paddingRule). */
  paddings: Float32Array;
  shape: [number, number];
  /** Number of tokens of each text before truncation. */
  lengths: number[];
}

/**
 * The TIPS text tokenizer: a SentencePiece model (the official `tokenizer.model`, 32k pieces)
 * used as the official `Tokenizer` does: ASCII lower-casing, no BOS/EOS, pad id 0, max length 64.
 * Pure TypeScript, runs in Node and in browsers. Makes no tensors.
 */
export class SentencePieceTokenizer {
  /** Id written at padding positions. */
  readonly padId = 0;

  constructor(readonly processor: SentencePieceProcessor) {}

  /**
   * Loads a `.model` file: a path (Node only; read with node:fs) or its bytes (Node and browsers).
   * Throws TokenizerError when the file is missing or is not a SentencePiece model.
   */
  static async load(source: string | Uint8Array | ArrayBuffer): Promise<SentencePieceTokenizer> {
    if (typeof source === 'string') return SentencePieceTokenizer.fromBytes(await readModelFile(source), source);
    return SentencePieceTokenizer.fromBytes(source);
  }

  /** Parses the bytes of a `.model` file (synchronous). */
  static fromBytes(bytes: Uint8Array | ArrayBuffer, source = 'SentencePiece model bytes'): SentencePieceTokenizer {
    const u8 = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
    return new SentencePieceTokenizer(SentencePieceProcessor.fromBytes(u8, source));
  }

  /** Number of pieces in the vocabulary (32000 for TIPS). */
  get vocabSize(): number {
    return this.processor.vocabSize;
  }

  /** SentencePiece ids of one text, as is (no lower-casing, no padding): the same as `sp.encode(text)`. */
  encode(text: string): number[] {
    return this.processor.encode(text);
  }

  /** Ids with their piece texts. */
  encodePieces(text: string): EncodedPiece[] {
    return this.processor.encodePieces(text);
  }

  /** Text of a sequence of ids (SentencePiece decoding; remove padding ids first). */
  decode(ids: ArrayLike<number>): string {
    return this.processor.decode(ids);
  }

  idToPiece(id: number): string {
    return this.processor.idToPiece(id);
  }

  pieceToId(piece: string): number {
    return this.processor.pieceToId(piece);
  }

  /**
   * Tokenizes a batch as the official TIPS `Tokenizer.tokenize(texts, max_len)` does: lower-case,
   * encode, pad with 0 to maxLen or truncate to maxLen. See TokenizeOptions for `paddings`.
   */
  tokenize(texts: string | readonly string[], maxLen = TIPS_MAX_LEN, options: TokenizeOptions = {}): TokenizedBatch {
    if (!Number.isInteger(maxLen) || maxLen < 1) throw new TokenizerError(`maxLen must be a positive integer, got ${maxLen}`);
    const list = typeof texts === 'string' ? [texts] : texts;
    const rule = options.paddingRule ?? 'official';
    if (rule !== 'official' && rule !== 'per-row') throw new TokenizerError(`unknown paddingRule '${String(rule)}'; use 'official' or 'per-row'`);
    const lower = options.lowerCase ?? true;
    const rows = list.map((t, i) => {
      if (typeof t !== 'string') throw new TokenizerError(`text ${i} is a ${typeof t}, not a string`);
      return this.processor.encode(lower ? asciiLower(t) : t);
    });
    const B = rows.length;
    const ids = new Int32Array(B * maxLen);
    const paddings = new Float32Array(B * maxLen);
    const longest = rows.reduce((m, r) => Math.max(m, r.length), 0);
    rows.forEach((r, b) => {
      const n = Math.min(r.length, maxLen);
      for (let j = 0; j < n; j++) ids[b * maxLen + j] = r[j]!;
    });
    if (rule === 'per-row') {
      rows.forEach((r, b) => paddings.fill(1, b * maxLen + Math.min(r.length, maxLen), (b + 1) * maxLen));
    } else if (longest <= maxLen) {
      for (let i = 0; i < ids.length; i++) paddings[i] = ids[i] === 0 ? 1 : 0;
    }
    return { ids, paddings, shape: [B, maxLen], lengths: rows.map((r) => r.length) };
  }
}

async function readModelFile(path: string): Promise<Uint8Array> {
  // Loaded on use (require under CommonJS/jest, import() under ESM) so that browser bundles of the
  // bytes-only path never resolve node:fs.
  const fs = await loadModule<typeof import('node:fs/promises')>('node:fs/promises');
  try {
    return new Uint8Array(await fs.readFile(path));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'does not exist' : code === 'EISDIR' ? 'is a directory' : `cannot be read (${(e as Error).message})`;
    throw new TokenizerError(`tokenizer model ${path} ${why}; pass the path of the SentencePiece .model file (TIPS: tokenizer.model)`, { cause: e });
  }
}
