import { readFileSync } from 'node:fs';
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
