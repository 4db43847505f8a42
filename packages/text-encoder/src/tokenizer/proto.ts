import protobuf from 'protobufjs/light.js';
import { TokenizerError } from '../errors';

/**
 * The part of SentencePiece's `sentencepiece_model.proto` (proto2, package `sentencepiece`) that
 * encoding and decoding need. Field numbers and defaults as in google/sentencepiece
 * src/sentencepiece_model.proto; fields we do not read are skipped by the decoder.
 */
const SCHEMA = {
  nested: {
    sentencepiece: {
      nested: {
        TrainerSpec: {
          fields: {
            modelType: { type: 'ModelType', id: 3, options: { default: 'UNIGRAM' } },
            vocabSize: { type: 'int32', id: 4, options: { default: 8000 } },
            treatWhitespaceAsSuffix: { type: 'bool', id: 24, options: { default: false } },
            allowWhitespaceOnlyPieces: { type: 'bool', id: 26, options: { default: false } },
            splitDigits: { type: 'bool', id: 25, options: { default: false } },
            byteFallback: { type: 'bool', id: 35, options: { default: false } },
            unkId: { type: 'int32', id: 40, options: { default: 0 } },
            bosId: { type: 'int32', id: 41, options: { default: 1 } },
            eosId: { type: 'int32', id: 42, options: { default: 2 } },
            padId: { type: 'int32', id: 43, options: { default: -1 } },
            unkPiece: { type: 'string', id: 45, options: { default: '<unk>' } },
            unkSurface: { type: 'string', id: 44, options: { default: ' \u2047 ' } },
          },
          nested: { ModelType: { values: { UNIGRAM: 1, BPE: 2, WORD: 3, CHAR: 4 } } },
        },
        NormalizerSpec: {
          fields: {
            name: { type: 'string', id: 1 },
            precompiledCharsmap: { type: 'bytes', id: 2 },
            addDummyPrefix: { type: 'bool', id: 3, options: { default: true } },
            removeExtraWhitespaces: { type: 'bool', id: 4, options: { default: true } },
            escapeWhitespaces: { type: 'bool', id: 5, options: { default: true } },
          },
        },
        ModelProto: {
          fields: {
            pieces: { rule: 'repeated', type: 'SentencePiece', id: 1 },
            trainerSpec: { type: 'TrainerSpec', id: 2 },
            normalizerSpec: { type: 'NormalizerSpec', id: 3 },
            denormalizerSpec: { type: 'NormalizerSpec', id: 5 },
          },
          nested: {
            SentencePiece: {
              fields: {
                piece: { type: 'string', id: 1 },
                score: { type: 'float', id: 2 },
                type: { type: 'Type', id: 3, options: { default: 'NORMAL' } },
              },
              nested: { Type: { values: { NORMAL: 1, UNKNOWN: 2, CONTROL: 3, USER_DEFINED: 4, BYTE: 6, UNUSED: 5 } } },
            },
          },
        },
      },
    },
  },
};

/** ModelProto.SentencePiece.Type. */
export const PieceType = { NORMAL: 1, UNKNOWN: 2, CONTROL: 3, USER_DEFINED: 4, UNUSED: 5, BYTE: 6 } as const;
export type PieceTypeValue = (typeof PieceType)[keyof typeof PieceType];

/** TrainerSpec.ModelType. */
export const ModelType = { UNIGRAM: 1, BPE: 2, WORD: 3, CHAR: 4 } as const;

export interface ModelPiece {
  piece: string;
  /** float32 score (log probability for unigram, merge priority for BPE). */
  score: number;
  type: PieceTypeValue;
}

export interface NormalizerSpec {
  name: string;
  /** Double-array trie + replacement strings; empty for the identity normaliser. */
  precompiledCharsmap: Uint8Array;
  addDummyPrefix: boolean;
  removeExtraWhitespaces: boolean;
  escapeWhitespaces: boolean;
}

export interface TrainerSpec {
  modelType: number;
  vocabSize: number;
  treatWhitespaceAsSuffix: boolean;
  allowWhitespaceOnlyPieces: boolean;
  splitDigits: boolean;
  byteFallback: boolean;
  unkId: number;
  bosId: number;
  eosId: number;
  padId: number;
  unkPiece: string;
  unkSurface: string;
}

/** A decoded `.model` file: the vocabulary and the settings encoding depends on. */
export interface SentencePieceModelProto {
  pieces: ModelPiece[];
  trainerSpec: TrainerSpec;
  normalizerSpec: NormalizerSpec;
  denormalizerSpec: NormalizerSpec | null;
}

let modelProtoType: protobuf.Type | null = null;
function modelProto(): protobuf.Type {
  modelProtoType ??= protobuf.Root.fromJSON(SCHEMA).lookupType('sentencepiece.ModelProto');
  return modelProtoType;
}

const TO_OBJECT: protobuf.IConversionOptions = { defaults: true, enums: Number, bytes: Array, longs: Number };

function normalizerSpec(o: Record<string, unknown> | undefined): NormalizerSpec {
  const n = (o ?? {}) as Record<string, unknown>;
  const raw = n.precompiledCharsmap as number[] | Uint8Array | undefined;
  return {
    name: (n.name as string) ?? '',
    precompiledCharsmap: raw ? Uint8Array.from(raw) : new Uint8Array(0),
    addDummyPrefix: (n.addDummyPrefix as boolean) ?? true,
    removeExtraWhitespaces: (n.removeExtraWhitespaces as boolean) ?? true,
    escapeWhitespaces: (n.escapeWhitespaces as boolean) ?? true,
  };
}

/**
 * Parses the bytes of a SentencePiece `.model` file (a serialized ModelProto). `source` names the
 * file in error messages. Throws TokenizerError when the bytes are not a ModelProto.
 */
export function decodeModelProto(bytes: Uint8Array, source = 'SentencePiece model'): SentencePieceModelProto {
  let obj: Record<string, unknown>;
  try {
    const msg = modelProto().decode(bytes);
    obj = modelProto().toObject(msg, TO_OBJECT) as Record<string, unknown>;
  } catch (e) {
    throw new TokenizerError(
      `${source} is not a SentencePiece model (could not parse the ModelProto: ${(e as Error).message}); pass the tokenizer's .model file`,
      { cause: e },
    );
  }
  const rawPieces = (obj.pieces as Record<string, unknown>[] | undefined) ?? [];
  if (rawPieces.length === 0) {
    throw new TokenizerError(`${source} holds no vocabulary pieces; it is not a SentencePiece model file (or it is truncated)`);
  }
  const pieces: ModelPiece[] = rawPieces.map((p) => ({
    piece: (p.piece as string) ?? '',
    score: Math.fround((p.score as number) ?? 0),
    type: ((p.type as number) ?? PieceType.NORMAL) as PieceTypeValue,
  }));
  const t = (obj.trainerSpec ?? {}) as Record<string, unknown>;
  const trainerSpec: TrainerSpec = {
    modelType: (t.modelType as number) ?? ModelType.UNIGRAM,
    vocabSize: (t.vocabSize as number) ?? 8000,
    treatWhitespaceAsSuffix: (t.treatWhitespaceAsSuffix as boolean) ?? false,
    allowWhitespaceOnlyPieces: (t.allowWhitespaceOnlyPieces as boolean) ?? false,
    splitDigits: (t.splitDigits as boolean) ?? false,
    byteFallback: (t.byteFallback as boolean) ?? false,
    unkId: (t.unkId as number) ?? 0,
    bosId: (t.bosId as number) ?? 1,
    eosId: (t.eosId as number) ?? 2,
    padId: (t.padId as number) ?? -1,
    unkPiece: (t.unkPiece as string) ?? '<unk>',
    unkSurface: (t.unkSurface as string) ?? ' \u2047 ',
  };
  return {
    pieces,
    trainerSpec,
    normalizerSpec: normalizerSpec(obj.normalizerSpec as Record<string, unknown> | undefined),
    denormalizerSpec: obj.denormalizerSpec ? normalizerSpec(obj.denormalizerSpec as Record<string, unknown>) : null,
  };
}
