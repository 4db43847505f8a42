import { loadScenesTokenizer, scenesTokenizerPath } from './tokenizer-asset';
import { renderScene } from './render-scene';
import { createTipsLoader } from '../loader/loader';
import { listSource } from '../loader/list-source';
import { join } from 'node:path';

describe('scenes tokenizer asset', () => {
  it('is shipped and covers the captions of unseen scenes within 64 tokens, without <unk>', async () => {
    expect(scenesTokenizerPath()).toMatch(/assets[/\\]scenes-tokenizer\.model$/);
    const tok = await loadScenesTokenizer();
    expect(tok.idToPiece(0)).toBe('<pad>');
    expect(tok.idToPiece(1)).toBe('<unk>');
    let longest = 0;
    for (let i = 0; i < 40; i++) {
      const s = renderScene(123, 'train', i);
      const texts = [s.webCaption, ...s.syntheticCaptions];
      const t = tok.tokenize(texts, 64, { paddingRule: 'per-row' });
      for (const n of t.lengths) longest = Math.max(longest, n);
      for (const id of t.ids) expect(id).not.toBe(1);
      // Whole words are single pieces.
      expect(tok.encodePieces('a large red circle in the upper left').map((p) => p.piece)).toEqual(['▁a', '▁large', '▁red', '▁circle', '▁in', '▁the', '▁upper', '▁left']);
    }
    expect(longest).toBeLessThanOrEqual(64);
  });

  it('works as the loader tokenizer (per-row padding masks)', async () => {
    const tok = await loadScenesTokenizer();
    const img = join(__dirname, '..', '..', 'test-data', 'tiny.png');
    const src = listSource([{ image: img, webCaption: 'red circle sale', syntheticCaptions: ['a red circle in the center'] }], { shuffle: false });
    for await (const b of createTipsLoader({ source: src, batchSize: 1, views: { globalSize: 28, localSize: 14, localCount: 1 }, tokenizer: tok, numWorkers: 0, epochs: 1 })) {
      expect(b.webTokens!.shape).toEqual([1, 64]);
      expect(b.webTokens!.paddings.subarray(0, 3)).toEqual(Float32Array.from([0, 0, 0]));
      expect(b.webTokens!.paddings[3]).toBe(1);
      expect(Array.from(b.syntheticTokens!.ids.subarray(0, 6))).toEqual(tok.encode('a red circle in the center'));
    }
  });
});
