import { TokenizerError } from '../errors';
import { ByteTrie } from './byte-trie';
import { PieceType, type ModelPiece, type SentencePieceModelProto } from './proto';
import { utf8Encode } from './utf8';

const FLT_MAX = 3.4028234663852886e38;
const FLT_MIN = 1.1754943508222875e-38;

/** `<0xAB>`: the piece SentencePiece uses for a fallback byte (ByteToPiece). */
export function byteToPiece(byte: number): string {
  return `<0x${byte.toString(16).toUpperCase().padStart(2, '0')}>`;
}

/** The byte a `<0xAB>` piece stands for, or -1 (PieceToByte). */
export function pieceToByte(piece: string): number {
  const m = /^<0x([0-9A-F]{2})>$/.exec(piece);
  return m ? parseInt(m[1]!, 16) : -1;
}

/**
 * The vocabulary of a SentencePiece model and the lookups every model type shares
 * (src/model_interface.cc): NORMAL, USER_DEFINED and UNUSED pieces are matched in text; UNKNOWN,
 * CONTROL and BYTE pieces are reserved ids.
 */
export class Vocabulary {
  readonly pieces: readonly ModelPiece[];
  readonly pieceBytes: readonly Uint8Array[];
  /** NORMAL, USER_DEFINED and UNUSED pieces → id. */
  readonly matchable = new ByteTrie();
  /** UNKNOWN, CONTROL and BYTE pieces → id. */
  readonly reserved = new ByteTrie();
  /** User-defined symbols (null when the model has none). */
  readonly userDefined: ByteTrie | null;
  readonly unkId: number;
  readonly byteFallback: boolean;
  /** Id of the `<0xAB>` piece of every byte (byte-fallback models only). */
  readonly byteIds: Int32Array | null;
  /** Smallest and largest score of the NORMAL pieces (initialised as SentencePiece does: FLT_MAX / FLT_MIN). */
  readonly minScore: number;
  readonly maxScore: number;
  private readonly types: Uint8Array;

  constructor(model: SentencePieceModelProto, source: string) {
    this.pieces = model.pieces;
    this.byteFallback = model.trainerSpec.byteFallback;
    this.types = new Uint8Array(model.pieces.length);
    const user = new ByteTrie();
    const bytesFound = new Int32Array(256).fill(-1);
    let unk = -1;
    let minScore = FLT_MAX;
    let maxScore = FLT_MIN;
    const pieceBytes: Uint8Array[] = [];
    model.pieces.forEach((p, id) => {
      if (p.piece.length === 0) throw new TokenizerError(`${source}: piece ${id} is empty; the SentencePiece model is corrupt`);
      const bytes = utf8Encode(p.piece);
      pieceBytes.push(bytes);
      this.types[id] = p.type;
      const matchable = p.type === PieceType.NORMAL || p.type === PieceType.USER_DEFINED || p.type === PieceType.UNUSED;
      const trie = matchable ? this.matchable : this.reserved;
      if (trie.get(bytes) >= 0) throw new TokenizerError(`${source}: piece '${p.piece}' is defined twice; the SentencePiece model is corrupt`);
      trie.insert(bytes, id);
      if (p.type === PieceType.USER_DEFINED) user.insert(bytes, id);
      if (p.type === PieceType.UNKNOWN) {
        if (unk >= 0) throw new TokenizerError(`${source}: more than one <unk> piece; the SentencePiece model is corrupt`);
        unk = id;
      }
      if (p.type === PieceType.BYTE) {
        if (!this.byteFallback) throw new TokenizerError(`${source}: byte piece ${p.piece} found although byte_fallback is off; the model is corrupt`);
        const b = pieceToByte(p.piece);
        if (b < 0) throw new TokenizerError(`${source}: byte piece ${p.piece} is invalid`);
        bytesFound[b] = id;
      }
      if (p.type === PieceType.NORMAL) {
        minScore = Math.min(minScore, p.score);
        maxScore = Math.max(maxScore, p.score);
      }
    });
    if (unk < 0) throw new TokenizerError(`${source}: the vocabulary has no <unk> piece; the SentencePiece model is corrupt`);
    if (this.byteFallback && bytesFound.some((v) => v < 0)) {
      throw new TokenizerError(`${source}: byte_fallback is on but the vocabulary lacks some of the 256 <0xXX> byte pieces`);
    }
    this.unkId = unk;
    this.byteIds = this.byteFallback ? bytesFound : null;
    this.userDefined = user.size > 0 ? user : null;
    this.pieceBytes = pieceBytes;
    this.minScore = minScore;
    this.maxScore = maxScore;
  }

  get size(): number {
    return this.pieces.length;
  }

  type(id: number): number {
    return this.types[id] ?? 0;
  }

  isUnknown(id: number): boolean {
    return this.types[id] === PieceType.UNKNOWN;
  }

  isControl(id: number): boolean {
    return this.types[id] === PieceType.CONTROL;
  }

  isUnused(id: number): boolean {
    return this.types[id] === PieceType.UNUSED;
  }

  isUserDefined(id: number): boolean {
    return this.types[id] === PieceType.USER_DEFINED;
  }

  isByte(id: number): boolean {
    return this.types[id] === PieceType.BYTE;
  }

  score(id: number): number {
    return this.pieces[id]!.score;
  }

  /** Id of the piece spelled by bytes[begin, end): reserved pieces first, then the others, else unk (PieceToId). */
  idOfBytes(bytes: Uint8Array, begin: number, end: number): number {
    const r = this.reserved.get(bytes, begin, end);
    if (r >= 0) return r;
    const m = this.matchable.get(bytes, begin, end);
    return m >= 0 ? m : this.unkId;
  }

  /** Id of a piece given as a string, else unk (PieceToId). */
  pieceToId(piece: string): number {
    const bytes = utf8Encode(piece);
    return this.idOfBytes(bytes, 0, bytes.length);
  }

  idToPiece(id: number): string {
    const p = this.pieces[id];
    if (!p) throw new TokenizerError(`token id ${id} is outside the vocabulary (0..${this.pieces.length - 1})`);
    return p.piece;
  }
}
