import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runSelect } from './filters';
import { CurateConfigError } from './errors';
import { measureAnnRecall, recallAtK, selectByRetrieval } from './retrieval';
import { exactKnn } from './similarity';
import { EmbeddingStore } from './store';
import { manifest, row, tmp, unit } from '../test/helpers';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}
const gauss = (r: () => number) => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());

test('recallAtK on a case with a known answer', () => {
  const exact = [['a', 'b', 'c', 'd'], ['e', 'f', 'g', 'h']];
  // 3/4 found for the first query, 1/4 for the second → mean 0.5.
  expect(recallAtK([['a', 'c', 'b', 'x'], ['y', 'z', 'w', 'h']], exact)).toBe(0.5);
  expect(recallAtK(exact, exact)).toBe(1);
  expect(recallAtK([['x'], ['y']], [['a'], ['b']])).toBe(0);
  expect(() => recallAtK([['a']], exact)).toThrow(CurateConfigError);
});

test('selectByRetrieval: exact LanceDB search = brute-force kNN; IVF index recall vs exact', async () => {
  const t = tmp();
  try {
    const r = rng(7);
    const dim = 16;
    const n = 600;
    // Clustered pool (20 centres) so IVF partitions mean something.
    const centres = Array.from({ length: 20 }, () => Array.from({ length: dim }, () => gauss(r)));
    const vecs = Array.from({ length: n }, (_, i) => unit(centres[i % 20]!.map((c) => c + 0.5 * gauss(r))));
    const store = await EmbeddingStore.open(join(t.dir, 'db'));
    await store.add(vecs.map((v, i) => row(`p${i}`, i, v)));
    const queries = Array.from({ length: 25 }, () => unit(centres[Math.floor(r() * 20)]!.map((c) => c + 0.5 * gauss(r))));
    const k = 10;
    const brute = exactKnn(queries, vecs, k).map((l) => l.map((x) => `p${x.index}`));

    const exact = await selectByRetrieval(store, queries, k, { exact: true });
    expect(recallAtK(exact.neighbours, brute)).toBe(1);
    expect(exact.ids.length).toBe(new Set(brute.flat()).size);

    await store.createIndex({ partitions: 8 });
    expect((await store.indices()).map((i) => i.columns)).toEqual([['vector']]);
    // Probing every partition of IVF_FLAT is exhaustive: recall 1.
    const all = await measureAnnRecall(store, queries, k, { nprobes: 8 });
    expect(all.recall).toBe(1);
    const one = await measureAnnRecall(store, queries, k, { nprobes: 1 });
    // eslint-disable-next-line no-console
    console.log(`IVF_FLAT, ${n} rows, 8 partitions, k=${k}: recall nprobes=1 ${one.recall}, nprobes=8 ${all.recall}`);
    expect(one.recall).toBeGreaterThan(0.3);
    expect(one.recall).toBeLessThanOrEqual(1);

    await expect(selectByRetrieval(store, [unit([1, 0])], k)).rejects.toThrow(CurateConfigError);
    await expect(selectByRetrieval(store, queries, 0)).rejects.toThrow(CurateConfigError);
    await expect(store.createIndex({ partitions: n + 1 })).rejects.toThrow(CurateConfigError);
  } finally {
    t.done();
  }
});

test('runSelect: keeps the k nearest pool records of each query; kept JSONL + report with ANN recall', async () => {
  const t = tmp();
  try {
    // Pool on the unit circle every 10°; queries at 3° and 181°: their 2 nearest are {0°, 10°} and {180°, 190°}.
    const degs = Array.from({ length: 36 }, (_, i) => i * 10);
    const ang = (d: number) => unit([Math.cos((d * Math.PI) / 180), Math.sin((d * Math.PI) / 180)]);
    const m = manifest(t.dir, degs.map((d) => ({ id: `d${d}`, caption: `c${d}` })));
    const db = join(t.dir, 'pool');
    await (await EmbeddingStore.open(db)).add(degs.map((d, i) => row(`d${d}`, i, ang(d))));
    const queryDb = join(t.dir, 'queries');
    await (await EmbeddingStore.open(queryDb)).add([row('q0', 0, ang(3)), row('q1', 1, ang(181))]);
    const out = join(t.dir, 'sel.jsonl');
    const rep = await runSelect({ manifest: m, db, queryDb, k: 2, out });
    expect(rep).toMatchObject({ records: 36, kept: 4, queries: 2, k: 2, indexed: false, annRecallAtK: null });
    const kept = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l).id);
    expect(kept).toEqual(['d0', 'd10', 'd180', 'd190']);
    // With an index probing every partition: same selection, recall 1.
    const rep2 = await runSelect({ manifest: m, db, queryDb, k: 2, out, index: { partitions: 4 }, nprobes: 4 });
    expect(rep2).toMatchObject({ kept: 4, indexed: true, annRecallAtK: 1, recallSample: 2 });
  } finally {
    t.done();
  }
});
