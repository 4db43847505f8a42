import { TokenizerError } from '../errors';
import { BpeModel } from './bpe';
import { Normalizer } from './normalizer';
import { decodeModelProto, ModelType, type SentencePieceModelProto } from './proto';
import type { Segment, SegmentationModel } from './segment';
import { UnigramModel } from './unigram';
import { decodeUtf8Char, utf8Decode, utf8Encode } from './utf8';
import { byteToPiece, pieceToByte, Vocabulary } from './vocab';

/** An encoded piece: its id and its text (the normalised surface; `<0xAB>` for fallback bytes). */
export interface EncodedPiece {
  id: number;
  piece: string;
}

/**
 * A SentencePiece model in pure TypeScript (no native code, no wasm, no file system): parses the
 * `.model` ModelProto, normalises, segments (unigram or BPE) and decodes exactly as the C++
 * SentencePieceProcessor does with default options (no sampling, no BOS/EOS).
 */
export class SentencePieceProcessor {
  readonly vocab: Vocabulary;
  readonly normalizer: Normalizer;
  private readonly model: SegmentationModel;
  private readonly denormalizer: Normalizer | null;

  constructor(
    readonly proto: SentencePieceModelProto,
    source = 'SentencePiece model',
  ) {
    this.vocab = new Vocabulary(proto, source);
    const t = proto.trainerSpec;
    this.normalizer = new Normalizer(proto.normalizerSpec, this.vocab.userDefined, t.treatWhitespaceAsSuffix);
    const d = proto.denormalizerSpec;
    this.denormalizer = d && d.precompiledCharsmap.length > 0 ? new Normalizer(d) : null;
    if (t.modelType === ModelType.UNIGRAM) this.model = new UnigramModel(this.vocab);
    else if (t.modelType === ModelType.BPE) this.model = new BpeModel(this.vocab);
    else {
      const name = Object.entries(ModelType).find(([, v]) => v === t.modelType)?.[0] ?? String(t.modelType);
      throw new TokenizerError(`${source}: model type ${name} is not supported (only UNIGRAM and BPE SentencePiece models are)`);
    }
  }

  /** Parses the bytes of a `.model` file. */
  static fromBytes(bytes: Uint8Array, source?: string): SentencePieceProcessor {
    return new SentencePieceProcessor(decodeModelProto(bytes, source), source);
  }

  get vocabSize(): number {
    return this.vocab.size;
  }

  /** The normalised text (with "▁" for spaces), as spm_normalize prints it. */
  normalize(text: string): string {
    return utf8Decode(this.normalizer.normalize(utf8Encode(text)));
  }

  /** Ids and piece texts of `text`: unknown runs merged into one <unk>, or split into bytes with byte_fallback. */
  encodePieces(text: string): EncodedPiece[] {
    const normalized = this.normalizer.normalize(utf8Encode(text));
    return this.populate(normalized, this.model.encode(normalized));
  }

  /** Token ids of `text` (SentencePieceProcessor::EncodeAsIds). */
  encode(text: string): number[] {
    return this.encodePieces(text).map((p) => p.id);
  }

  /** SentencePieceProcessor::PopulateSentencePieceText without offsets. */
  private populate(normalized: Uint8Array, segments: Segment[]): EncodedPiece[] {
    const vocab = this.vocab;
    const out: { id: number; begin: number; end: number; piece?: string }[] = [];
    let isPrevUnk = false;
    for (const s of segments) {
      const isUnk = vocab.isUnknown(s.id);
      if (vocab.isControl(s.id)) {
        out.push({ id: s.id, begin: s.begin, end: s.end, piece: vocab.idToPiece(s.id) });
      } else if (isUnk && vocab.byteIds) {
        for (let i = s.begin; i < s.end; i++) {
          const b = normalized[i]!;
          out.push({ id: vocab.byteIds[b]!, begin: i, end: i + 1, piece: byteToPiece(b) });
        }
      } else if (isPrevUnk && isUnk) {
        out[out.length - 1]!.end = s.end;
      } else {
        out.push({ id: s.id, begin: s.begin, end: s.end });
      }
      isPrevUnk = isUnk;
    }
    return out.map((p) => ({ id: p.id, piece: p.piece ?? utf8Decode(normalized, p.begin, p.end) }));
  }

  idToPiece(id: number): string {
    return this.vocab.idToPiece(id);
  }

  pieceToId(piece: string): number {
    return this.vocab.pieceToId(piece);
  }

  /** Text of a sequence of ids (SentencePieceProcessor::Decode): "▁" → space, control ids dropped, bytes reassembled. */
  decode(ids: ArrayLike<number>): string {
    const vocab = this.vocab;
    const t = this.proto.trainerSpec;
    const n = this.proto.normalizerSpec;
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!;
      if (!Number.isInteger(id) || id < 0 || id >= vocab.size) {
        throw new TokenizerError(`cannot decode id ${id}: outside the vocabulary (0..${vocab.size - 1})`);
      }
    }
    const parts: string[] = [];
    let textLength = 0;
    const emit = (s: string): void => {
      parts.push(s);
      textLength += s.length;
    };
    const flushBytes = (from: number, to: number): void => {
      if (from >= to) return;
      const bytes = new Uint8Array(to - from);
      for (let i = from; i < to; i++) bytes[i - from] = pieceToByte(vocab.idToPiece(ids[i]!));
      for (let off = 0; off < bytes.length; ) {
        const c = decodeUtf8Char(bytes, off);
        emit(c.valid ? utf8Decode(bytes, off, off + c.length) : '\ufffd');
        off += c.length;
      }
    };
    const decodePiece = (piece: string, id: number, isBosWs: boolean): { text: string; bosWs: boolean } => {
      if (vocab.isControl(id)) return { text: '', bosWs: false };
      if (vocab.isUnknown(id)) return { text: t.unkSurface, bosWs: false };
      let hasBosWs = false;
      if (isBosWs && (n.addDummyPrefix || n.removeExtraWhitespaces)) {
        if (piece.startsWith('\u2581')) {
          piece = piece.slice(1);
          hasBosWs = true;
        }
        if (n.removeExtraWhitespaces) hasBosWs = false;
      }
      return { text: piece.replaceAll('\u2581', ' '), bosWs: hasBosWs };
    };

    let byteStart = 0;
    let isBosWs = true;
    let bosWsSeen = false;
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!;
      if (vocab.isByte(id)) continue;
      flushBytes(byteStart, i);
      if (bosWsSeen || textLength > 0) isBosWs = false;
      byteStart = i + 1;
      const d = decodePiece(vocab.idToPiece(id), id, isBosWs);
      bosWsSeen = d.bosWs;
      emit(d.text);
    }
    flushBytes(byteStart, ids.length);
    const text = parts.join('');
    return this.denormalizer ? utf8Decode(this.denormalizer.normalize(utf8Encode(text))) : text;
  }
}
