// Helpers for tests: small images made on the fly in temp folders (not part of the package API).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import type { Tokenizer, TokenizedText } from '../text/tokenizer';

export function tempDir(prefix = 'tips-data-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A w×h RGB pattern whose pixels encode their position: R = x·k, G = y·k, B = seed. */
export function patternRgb(w: number, h: number, seed = 0): Uint8Array {
  const data = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const o = (y * w + x) * 3;
      data[o] = (x * 7 + seed) & 255;
      data[o + 1] = (y * 5 + seed * 3) & 255;
      data[o + 2] = (x * y + seed * 11) & 255;
    }
  return data;
}

export async function encode(data: Uint8Array, w: number, h: number, format: 'png' | 'jpeg' | 'webp', channels: 1 | 2 | 3 | 4 = 3): Promise<Buffer> {
  const s = sharp(Buffer.from(data), { raw: { width: w, height: h, channels } });
  if (format === 'png') return s.png().toBuffer();
  if (format === 'webp') return s.webp({ lossless: true }).toBuffer();
  return s.jpeg({ quality: 95 }).toBuffer();
}

/** A whitespace tokenizer with the Tokenizer shape, for loader tests (ids from a growing vocabulary, pad 0). */
export class WordTokenizer implements Tokenizer {
  readonly vocab = new Map<string, number>();
  tokenize(texts: string[], maxLen = 64): TokenizedText {
    const ids = new Int32Array(texts.length * maxLen);
    const paddings = new Float32Array(texts.length * maxLen).fill(1);
    texts.forEach((t, b) => {
      const words = t.toLowerCase().split(/\s+/).filter(Boolean).slice(0, maxLen);
      words.forEach((w, i) => {
        if (!this.vocab.has(w)) this.vocab.set(w, this.vocab.size + 1);
        ids[b * maxLen + i] = this.vocab.get(w)!;
        paddings[b * maxLen + i] = 0;
      });
    });
    return { ids, paddings, shape: [texts.length, maxLen] };
  }
}
