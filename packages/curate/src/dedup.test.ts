import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { dedupAgainst, dedupWithin } from './dedup';
import { CurateConfigError } from './errors';
import { runDedup } from './filters';
import { EmbeddingStore } from './store';
import { manifest, row, tmp, unit } from '../test/helpers';

// Unit vectors at angle θ (degrees) in the plane: cosine between two = cos(Δθ).
const ang = (deg: number) => unit([Math.cos((deg * Math.PI) / 180), Math.sin((deg * Math.PI) / 180)]);

test('dedupWithin: clusters at cos ≥ t keep their lowest index', () => {
  // 0°, 5°, 90°, 3°, 180°, 92°: clusters {0,1,3} and {2,5} at t = cos 10°; 4 alone.
  const v = [0, 5, 90, 3, 180, 92].map(ang);
  const r = dedupWithin(v, Math.cos((10 * Math.PI) / 180));
  expect(r.kept).toEqual([0, 2, 4]);
  expect(r.dropped).toEqual([{ index: 1, keptAs: 0 }, { index: 3, keptAs: 0 }, { index: 5, keptAs: 2 }]);
  expect(r.clusters).toEqual([[0, 1, 3], [2, 5]]);
  // t = 1: only exact duplicates merge.
  expect(dedupWithin([ang(0), ang(0), ang(1)], 1).kept).toEqual([0, 2]);
  // Single linkage: 0°, 8°, 16° chain into one cluster at cos 10° though 0° and 16° are farther.
  expect(dedupWithin([0, 8, 16].map(ang), Math.cos((10 * Math.PI) / 180)).kept).toEqual([0]);
  expect(dedupWithin([], 0.9).kept).toEqual([]);
  expect(() => dedupWithin(v, 1.5)).toThrow(CurateConfigError);
});

test('dedupAgainst: removes pool items with cos ≥ t to any eval item', () => {
  const pool = [0, 45, 90, 135, 179].map(ang);
  const evalSet = [ang(46), ang(180)];
  const r = dedupAgainst(pool, evalSet, Math.cos((5 * Math.PI) / 180));
  expect(r.kept).toEqual([0, 2, 3]);
  expect(r.removed.map((x) => [x.index, x.evalIndex])).toEqual([[1, 0], [4, 1]]);
  expect(r.removed[0]!.cosine).toBeCloseTo(Math.cos(Math.PI / 180), 6);
  expect(dedupAgainst(pool, [], 0.5).kept).toEqual([0, 1, 2, 3, 4]);
});

test('runDedup: against an eval table then within the pool; kept JSONL + report', async () => {
  const t = tmp();
  try {
    const degs = [0, 2, 60, 120, 121, 200];
    const m = manifest(t.dir, degs.map((_, i) => ({ id: `p${i}`, caption: `c${i}` })));
    const db = join(t.dir, 'db');
    await (await EmbeddingStore.open(db)).add(degs.map((d, i) => row(`p${i}`, i, ang(d))));
    const evalDb = join(t.dir, 'evaldb');
    await (await EmbeddingStore.open(evalDb)).add([row('e0', 0, ang(201))]);
    const out = join(t.dir, 'dedup.jsonl');
    const cos5 = Math.cos((5 * Math.PI) / 180);
    const rep = await runDedup({ manifest: m, db, evalDb, out, within: cos5, against: cos5 });
    expect(rep).toMatchObject({ records: 6, kept: 3, dropped: 3, removedAgainstEval: 1, removedWithin: 2, duplicateClusters: 2 });
    expect(readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l).id)).toEqual(['p0', 'p2', 'p3']);
    expect(rep.removed).toEqual({ againstEval: [{ id: 'p5', evalId: 'e0', cosine: Number(Math.cos(Math.PI / 180).toFixed(4)) }], within: [{ id: 'p1', keptAs: 'p0' }, { id: 'p4', keptAs: 'p3' }] });
    expect(JSON.parse(readFileSync(`${out}.report.json`, 'utf8')).kept).toBe(3);
    await expect(runDedup({ manifest: m, db, out })).rejects.toThrow(CurateConfigError);
    await expect(runDedup({ manifest: m, db, out, against: 0.9 })).rejects.toThrow(/needs evalDb/);
  } finally {
    t.done();
  }
});
