import { readFileSync } from 'node:fs';
import { Rng } from '@tips/runtime';
import { SentencePieceProcessor } from './processor';
import { expectedCases, modelPath, referenceEncode, TEST_MODELS, trickyStrings, type TestModel } from './test-models';

const load = (name: TestModel): SentencePieceProcessor => SentencePieceProcessor.fromBytes(readFileSync(modelPath(name)), name);

/** Random strings mixing words, spaces of all kinds, digits, punctuation and characters outside the vocabularies. */
function fuzzStrings(seed: number, n: number): string[] {
  const rng = new Rng(seed);
  const atoms = [
    'a', 'photo', 'of', 'the', 'dog', 'cat', 'New', 'York', 'new york', 'RED', 'Blue', 'sitting', 'on', 'table', 'x',
    ' ', ' ', ' ', '  ', '\t', '\n', '\u3000', '\u00a0', '\u200b', '▁',
    '0', '12', '345', '½', '①', '²', 'Ⅻ', '㍻', '!', '?', '.', ',', "'", '"', '-', '(', ')', '<sep>', '[MASK]', '<ctl>', '@', '#', '+',
    'é', 'e\u0301', 'ﬁ', 'Ａ', 'ｄｏｇ', '１', 'ｶ', 'ß', 'İ', 'Ü', 'ñ', '東京', 'タワー', 'Москва', 'Ελλάδα', '한국어', '🐶', '🚲', '\u00ad', 'ℌ',
  ];
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const k = rng.int(12);
    let s = '';
    for (let j = 0; j < k; j++) s += rng.pick(atoms);
    out.push(s);
  }
  return out;
}

describe.each(TEST_MODELS)('SentencePiece model %s', (name) => {
  const sp = load(name);

  test('ids, pieces and decoding match the C++ SentencePiece (Python sentencepiece) on tricky strings', () => {
    const cases = expectedCases(name);
    expect(cases.length).toBeGreaterThan(30);
    for (const c of cases) {
      const got = sp.encodePieces(c.text);
      expect({ text: c.text, ids: got.map((p) => p.id) }).toEqual({ text: c.text, ids: c.ids });
      expect(got.map((p) => sp.idToPiece(p.id))).toEqual(c.pieces);
      expect({ text: c.text, decoded: sp.decode(c.ids) }).toEqual({ text: c.text, decoded: c.decoded });
    }
  });

  test('ids and decoding match the SentencePiece wasm build on tricky and random strings', () => {
    const texts = [...trickyStrings(), ...fuzzStrings(name.length * 101, 250)];
    const ours = texts.map((t) => sp.encode(t));
    const ref = referenceEncode(name, texts, ours);
    let mismatches = 0;
    texts.forEach((t, i) => {
      if (JSON.stringify(ours[i]) !== JSON.stringify(ref.ids[i])) {
        mismatches++;
        if (mismatches < 5) expect({ text: t, ids: ours[i] }).toEqual({ text: t, ids: ref.ids[i] });
      }
      expect({ text: t, decoded: sp.decode(ours[i]!) }).toEqual({ text: t, decoded: ref.decoded[i] });
    });
    expect(mismatches).toBe(0);
  });
});

describe('SentencePieceProcessor details', () => {
  test('vocabulary lookups and special pieces of the unigram model (pad 0, eos 1, unk 2)', () => {
    const sp = load('unigram');
    expect(sp.vocabSize).toBe(480);
    expect(sp.idToPiece(0)).toBe('<pad>');
    expect(sp.idToPiece(1)).toBe('</s>');
    expect(sp.idToPiece(2)).toBe('<unk>');
    expect(sp.pieceToId('<sep>')).toBe(sp.vocab.pieces.findIndex((p) => p.piece === '<sep>'));
    expect(sp.pieceToId('no such piece')).toBe(2);
    expect(sp.normalize('  Ａ  dog　１２３ ')).toBe('▁A▁dog▁123');
  });

  test('unknown runs merge into one <unk>; byte fallback spells them as <0xXX> pieces', () => {
    const uni = load('unigram');
    const pieces = uni.encodePieces('한국어');
    expect(pieces.map((p) => p.id)).toEqual([uni.pieceToId('▁'), 2]);
    expect(pieces[1]!.piece).toBe('한국어');
    const bf = load('bytefallback');
    const bytes = bf.encodePieces('🐶').slice(1).map((p) => p.piece);
    expect(bytes).toEqual(['<0xF0>', '<0x9F>', '<0x90>', '<0xB6>']);
    expect(bf.decode(bf.encode('🐶 ß 東京'))).toBe('🐶 ß 東京');
  });

  test('decode rejects ids outside the vocabulary', () => {
    expect(() => load('bpe').decode([5, 400])).toThrow(/outside the vocabulary/);
  });
});
