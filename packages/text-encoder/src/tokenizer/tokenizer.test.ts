import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TokenizerError } from '../errors';
import { asciiLower } from './ascii-lower';
import { modelPath, TEST_DATA, TEST_MODELS } from './test-models';
import { SentencePieceTokenizer } from './tokenizer';

interface OfficialBatch {
  texts: string[];
  max_len: number;
  ids: number[][];
  paddings: number[][];
}
const official = JSON.parse(readFileSync(join(TEST_DATA, 'expected-tokenize.json'), 'utf8')) as Record<string, OfficialBatch[]>;

describe.each(TEST_MODELS)('SentencePieceTokenizer.tokenize with %s', (name) => {
  test('reproduces the official TIPS Tokenizer.tokenize (ids and paddings, truncation quirk included)', async () => {
    const tok = await SentencePieceTokenizer.load(modelPath(name));
    for (const b of official[name]!) {
      const got = tok.tokenize(b.texts, b.max_len);
      expect(got.shape).toEqual([b.texts.length, b.max_len]);
      expect(Array.from(got.ids)).toEqual(b.ids.flat());
      expect(Array.from(got.paddings)).toEqual(b.paddings.flat());
    }
  });
});

describe('SentencePieceTokenizer', () => {
  const bytes = readFileSync(modelPath('unigram'));

  test('loads from a path or from bytes (browser path) with the same result', async () => {
    const a = await SentencePieceTokenizer.load(modelPath('unigram'));
    const b = await SentencePieceTokenizer.load(new Uint8Array(bytes));
    const c = SentencePieceTokenizer.fromBytes(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
    expect(a.vocabSize).toBe(480);
    for (const t of [b, c]) expect(t.encode('a photo of a dog')).toEqual(a.encode('a photo of a dog'));
  });

  test('lower-cases ASCII only, like tf.strings.lower', () => {
    expect(asciiLower('A Photo of ÀÉÎ İstanbul ＡＢ')).toBe('a photo of ÀÉÎ İstanbul ＡＢ');
    const tok = SentencePieceTokenizer.fromBytes(bytes);
    const row = tok.tokenize(['A DOG'], 8);
    expect(Array.from(row.ids.subarray(0, 2))).toEqual(tok.encode('a dog'));
    expect(Array.from(tok.tokenize(['A DOG'], 8, { lowerCase: false }).ids.subarray(0, 3))).toEqual(tok.encode('A DOG').slice(0, 3));
  });

  test('per-row paddings mark exactly the positions after each text, also when another text is truncated', () => {
    const tok = SentencePieceTokenizer.fromBytes(bytes);
    const texts = ['a dog', 'a large red bicycle standing next to a small wooden house'];
    const n0 = tok.encode('a dog').length;
    const off = tok.tokenize(texts, 6);
    expect(Array.from(off.paddings)).toEqual(new Array(12).fill(0)); // official quirk: all zeros
    const per = tok.tokenize(texts, 6, { paddingRule: 'per-row' });
    expect(Array.from(per.paddings.subarray(0, 6))).toEqual([0, 0, 0, 0, 0, 0].map((_, j) => (j < n0 ? 0 : 1)));
    expect(Array.from(per.paddings.subarray(6))).toEqual([0, 0, 0, 0, 0, 0]);
    expect(per.lengths[1]).toBeGreaterThan(6);
    expect(Array.from(per.ids)).toEqual(Array.from(off.ids));
  });

  test('a single string, an empty batch and decode of a tokenized row', () => {
    const tok = SentencePieceTokenizer.fromBytes(bytes);
    const one = tok.tokenize('a photo of a dog');
    expect(one.shape).toEqual([1, 64]);
    const n = tok.encode('a photo of a dog').length;
    expect(tok.decode(Array.from(one.ids.subarray(0, n)))).toBe('a photo of a dog');
    expect(tok.tokenize([], 64).shape).toEqual([0, 64]);
  });

  test('bad inputs give TokenizerError naming the problem', async () => {
    const tok = SentencePieceTokenizer.fromBytes(bytes);
    expect(() => tok.tokenize(['x'], 0)).toThrow(TokenizerError);
    expect(() => tok.tokenize([3 as unknown as string])).toThrow(/not a string/);
    await expect(SentencePieceTokenizer.load('/nonexistent/tokenizer.model')).rejects.toThrow(/does not exist/);
    expect(() => SentencePieceTokenizer.fromBytes(new Uint8Array([0xff, 0xff, 0xff, 0x01]))).toThrow(/not a SentencePiece model/);
    expect(() => SentencePieceTokenizer.fromBytes(bytes.subarray(0, 1000))).toThrow(TokenizerError);
    expect(() => SentencePieceTokenizer.fromBytes(readFileSync(join(TEST_DATA, 'tricky-strings.json')))).toThrow(TokenizerError);
  });
});
