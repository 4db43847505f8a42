import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Embedder, ImageVectors } from '../src/embedder';
import type { EmbeddingRow } from '../src/store';

export function tmp(): { dir: string; done: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'curate-test-'));
  return { dir, done: () => rmSync(dir, { recursive: true, force: true }) };
}

export const f32 = (...v: number[]) => Float32Array.from(v);

export function unit(v: number[]): Float32Array {
  const n = Math.hypot(...v);
  return Float32Array.from(v.map((x) => x / n));
}

export function row(id: string, index: number, vector: Float32Array, textVector?: Float32Array): EmbeddingRow {
  return { id, index, image: `/img/${id}.png`, vector, vector2: vector, textVector: textVector ?? new Float32Array(vector.length), hasText: textVector !== undefined, caption: textVector ? `caption ${id}` : null };
}

/** Writes n records (with image files) to a manifest; returns its path. */
export function manifest(dir: string, recs: { id: string; caption?: string; image?: string }[]): string {
  const lines = recs.map((r) => {
    const image = r.image ?? `${r.id}.png`;
    if (!r.image) writeFileSync(join(dir, image), 'not really a png');
    return JSON.stringify({ id: r.id, image, ...(r.caption !== undefined ? { web_caption: r.caption } : {}) });
  });
  const p = join(dir, 'manifest.jsonl');
  writeFileSync(p, `${lines.join('\n')}\n`);
  return p;
}

/** A deterministic fake embedder: vectors from the path/text hash; counts calls; can throw on the nth image batch. */
export class FakeEmbedder implements Embedder {
  readonly name = 'fake';
  imageCalls = 0;
  embeddedPaths: string[] = [];
  constructor(
    readonly dim = 4,
    private readonly failOnBatch?: number,
  ) {}
  private vec(s: string): Float32Array {
    let h = 2166136261;
    for (const c of s) h = Math.imul(h ^ c.charCodeAt(0), 16777619) >>> 0;
    return unit(Array.from({ length: this.dim }, (_, i) => ((h >>> (i * 5)) & 31) + 1));
  }
  async embedImages(paths: string[]): Promise<ImageVectors[]> {
    this.imageCalls++;
    if (this.failOnBatch !== undefined && this.imageCalls === this.failOnBatch) throw new Error('simulated crash');
    this.embeddedPaths.push(...paths);
    return paths.map((p) => ({ cls1: this.vec(p), cls2: this.vec(`2${p}`) }));
  }
  async embedTexts(texts: string[]): Promise<Float32Array[]> {
    return texts.map((t) => this.vec(`t${t}`));
  }
}
