import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { histogramPixels, writeHistogramPng } from './report';
import { join } from 'node:path';
import { CurateConfigError } from './errors';
import { runSimilarityFilter, similarityFilter } from './filters';
import { cosine, dot, exactKnn, histogram } from './similarity';
import { EmbeddingStore } from './store';
import { f32, manifest, row, tmp, unit } from '../test/helpers';

// Hand-built pairs: image = e0; text at angle θ in the e0-e1 plane, so cosine = cos θ exactly.
const at = (deg: number) => f32(Math.cos((deg * Math.PI) / 180), Math.sin((deg * Math.PI) / 180), 0);
const img = f32(1, 0, 0);
const rows = [
  row('a', 0, img, at(0)), // 1
  row('b', 1, img, at(60)), // 0.5
  row('c', 2, img, at(90)), // 0
  row('d', 3, img, at(120)), // -0.5
  row('e', 4, img, at(30)), // 0.866
  row('f', 5, img), // image-only
];

test('cosine and dot on hand-built vectors', () => {
  expect(cosine(f32(1, 0), f32(0, 1))).toBe(0);
  expect(cosine(f32(2, 0), f32(3, 0))).toBe(1);
  expect(cosine(f32(1, 1), f32(1, 0))).toBeCloseTo(Math.SQRT1_2, 6);
  expect(cosine(f32(0, 0), f32(1, 0))).toBe(0);
  expect(dot(f32(1, 2, 3), f32(4, 5, 6))).toBe(32);
  expect(histogram([-1, 0, 0.99, 1], 2).counts).toEqual([1, 3]);
  expect(exactKnn([f32(1, 0)], [f32(0, 1), f32(1, 0), unit([1, 1])], 2).map((r) => r.map((x) => x.index))).toEqual([[1, 2]]);
});

test('similarity filter: threshold keeps cosine ≥ t; image-only rows are not kept', () => {
  const r = similarityFilter(rows, { threshold: 0.5 });
  expect(r.kept.map((s) => s.id)).toEqual(['a', 'b', 'e']);
  expect(r.dropped.map((s) => s.id)).toEqual(['c', 'd']);
  expect(r.imageOnly).toEqual(['f']);
  expect(r.kept.find((s) => s.id === 'e')!.cosine).toBeCloseTo(Math.sqrt(3) / 2, 6);
  expect(similarityFilter(rows, { threshold: 0.1 }).kept.map((s) => s.id)).toEqual(['a', 'b', 'e']);
  expect(similarityFilter(rows, { threshold: -0.6 }).kept.map((s) => s.id)).toEqual(['a', 'b', 'c', 'd', 'e']);
  expect(similarityFilter(rows, { threshold: 0.9 }).kept.map((s) => s.id)).toEqual(['a']);
});

test('similarity filter: top fraction keeps the best round(f·n)', () => {
  const r = similarityFilter(rows, { topFraction: 0.4 }); // 5 pairs with text → 2
  expect(r.kept.map((s) => s.id)).toEqual(['a', 'e']);
  expect(r.cutoff).toBeCloseTo(Math.sqrt(3) / 2, 6);
  expect(similarityFilter(rows, { topFraction: 1 }).kept).toHaveLength(5);
  expect(() => similarityFilter(rows, { threshold: 0.5, topFraction: 0.5 })).toThrow(CurateConfigError);
  expect(() => similarityFilter(rows, {})).toThrow(CurateConfigError);
  expect(() => similarityFilter(rows, { threshold: 2 })).toThrow(CurateConfigError);
  expect(() => similarityFilter(rows, { topFraction: 0 })).toThrow(CurateConfigError);
});

test('runSimilarityFilter: reads the LanceDB table, writes kept manifest + report', async () => {
  const t = tmp();
  try {
    const m = manifest(t.dir, rows.map((r) => ({ id: r.id, caption: r.hasText ? `caption ${r.id}` : undefined })));
    const store = await EmbeddingStore.open(join(t.dir, 'db'));
    await store.add(rows);
    const out = join(t.dir, 'kept.jsonl');
    const rep = await runSimilarityFilter({ manifest: m, db: join(t.dir, 'db'), out, threshold: 0.5 });
    expect(rep).toMatchObject({ filter: 'similarity', records: 6, kept: 3, dropped: 3, imageOnly: 1 });
    const kept = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l).id);
    expect(kept).toEqual(['a', 'b', 'e']);
    expect(JSON.parse(readFileSync(`${out}.report.json`, 'utf8')).kept).toBe(3);
  } finally {
    t.done();
  }
});

test('histogram PNG: bar heights are count / max of the plot height', async () => {
  const h = { edges: [0, 1, 2, 3], counts: [0, 4, 2] };
  const { data, width, height } = histogramPixels(h, { binWidth: 4, height: 10 });
  expect([width, height]).toEqual([12, 10]);
  const dark = (x: number, y: number) => data[(y * width + x) * 3] !== 255;
  const column = (x: number) => Array.from({ length: height }, (_, y) => (dark(x, y) ? 1 : 0)).reduce((a: number, b) => a + b, 0);
  expect([column(1), column(5), column(9)]).toEqual([0, 10, 5]);
  expect(column(7)).toBe(0); // the 1-px gap between bars
  const t = tmp();
  try {
    const p = await writeHistogramPng(join(t.dir, 'h.png'), h, { binWidth: 4, height: 10 });
    const meta = await sharp(p).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['png', 12, 10]);
    const raw = await sharp(p).raw().toBuffer();
    expect(Uint8Array.from(raw.subarray(0, raw.length))).toEqual(data);
  } finally {
    t.done();
  }
});

test('runSimilarityFilter report: histogram counts, PNG and examples at the threshold', async () => {
  const t = tmp();
  try {
    const m = manifest(t.dir, rows.map((r) => ({ id: r.id, caption: r.hasText ? `caption ${r.id}` : undefined })));
    await (await EmbeddingStore.open(join(t.dir, 'db'))).add(rows);
    const out = join(t.dir, 'kept.jsonl');
    const rep = await runSimilarityFilter({ manifest: m, db: join(t.dir, 'db'), out, threshold: 0.5, examples: 1 });
    const hist = rep.histogram as { counts: number[]; edges: number[] };
    expect(hist.counts.reduce((a, b) => a + b, 0)).toBe(5);
    // Bins of width 0.05 over [-1, 1]: -0.5 → bin 10, 0 → 20, 0.5 → 30 (each on an edge: float32 rounding
    // may put it one bin lower), 0.866 → 37, 1 → 39 (clamped).
    const edge = (b: number) => hist.counts[b - 1]! + hist.counts[b]!;
    expect([edge(10), edge(20), edge(30)]).toEqual([1, 1, 1]);
    expect(hist.counts[37]).toBe(1);
    expect(hist.counts[39]).toBe(1);
    expect((await sharp(rep.histogramPng as string).metadata()).format).toBe('png');
    expect(rep.examplesAtThreshold).toEqual({ keptLowest: [{ id: 'b', cosine: 0.5, caption: 'caption b' }], droppedHighest: [{ id: 'c', cosine: 0, caption: 'caption c' }] });
  } finally {
    t.done();
  }
});
