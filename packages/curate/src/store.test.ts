import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runEmbedJob } from './embed-job';
import { CurateConfigError, CurateDimensionError, CurateImageError, CurateManifestError } from './errors';
import { EmbeddingStore } from './store';
import { FakeEmbedder, f32, manifest, row, tmp, unit } from '../test/helpers';

test('store: rows written to a table on disk come back after reopening', async () => {
  const t = tmp();
  try {
    const db = join(t.dir, 'db');
    const s = await EmbeddingStore.open(db);
    expect(s.exists).toBe(false);
    expect(await s.count()).toBe(0);
    await s.add([row('a', 0, f32(1, 0, 0), f32(0, 1, 0)), row('b', 1, f32(0, 0, 1))]);
    await s.add([row('c', 2, unit([1, 1, 0]))]);
    const r = await EmbeddingStore.open(db);
    expect(r.exists).toBe(true);
    expect(r.dim).toBe(3);
    expect(await r.count()).toBe(3);
    expect([...(await r.ids())].sort()).toEqual(['a', 'b', 'c']);
    const all = await r.all();
    expect(all.map((x) => x.id)).toEqual(['a', 'b', 'c']);
    expect(Array.from(all[0]!.vector)).toEqual([1, 0, 0]);
    expect(Array.from(all[0]!.textVector)).toEqual([0, 1, 0]);
    expect(all[0]!.hasText).toBe(true);
    expect(all[1]!.hasText).toBe(false);
    expect(all[1]!.caption).toBeNull();
    expect(all[2]!.vector[0]).toBeCloseTo(Math.SQRT1_2, 6);
  } finally {
    t.done();
  }
});

test('store: another width than the table → CurateDimensionError; missing table → CurateConfigError', async () => {
  const t = tmp();
  try {
    const db = join(t.dir, 'db');
    await (await EmbeddingStore.open(db)).add([row('a', 0, f32(1, 0, 0))]);
    const s = await EmbeddingStore.open(db);
    await expect(s.add([row('b', 1, f32(1, 0, 0, 0))])).rejects.toThrow(CurateDimensionError);
    expect(() => s.checkDim(8, 'model X')).toThrow(/holds 3-d embeddings but model X gives 8-d/);
    const bad = { ...row('c', 2, f32(1, 0, 0)), textVector: f32(1, 0) };
    await expect(s.add([bad])).rejects.toThrow(CurateDimensionError);
    expect(await s.count()).toBe(1);
    await expect(EmbeddingStore.openExisting(db, 'nope')).rejects.toThrow(CurateConfigError);
    // The embed job checks the width before reading anything.
    const m = manifest(t.dir, [{ id: 'z', caption: 'x' }]);
    await expect(runEmbedJob({ manifest: m, db, embedder: new FakeEmbedder(5) })).rejects.toThrow(CurateDimensionError);
  } finally {
    t.done();
  }
});

test('embed job: interrupted mid-way, then re-run, embeds every record exactly once', async () => {
  const t = tmp();
  try {
    const recs = Array.from({ length: 23 }, (_, i) => ({ id: `r${i}`, caption: i % 4 === 3 ? undefined : `caption ${i}` }));
    const m = manifest(t.dir, recs);
    const db = join(t.dir, 'db');
    const first = new FakeEmbedder(4, 3); // the third batch throws
    const batches: string[][] = [];
    await expect(runEmbedJob({ manifest: m, db, embedder: first, batchSize: 5, onBatch: (b) => batches.push(b.ids) })).rejects.toThrow('simulated crash');
    expect(batches).toHaveLength(2);
    expect(await (await EmbeddingStore.open(db)).count()).toBe(10);

    const second = new FakeEmbedder(4);
    const sum = await runEmbedJob({ manifest: m, db, embedder: second, batchSize: 5 });
    expect(sum).toMatchObject({ shardRecords: 23, embedded: 13, alreadyDone: 10, rows: 23, imageOnly: 3, aborted: false });
    // No record embedded twice across the two runs, none skipped.
    const paths = [...first.embeddedPaths, ...second.embeddedPaths];
    expect(paths).toHaveLength(23);
    expect(new Set(paths).size).toBe(23);
    const rows = await (await EmbeddingStore.open(db)).all();
    expect(rows.map((r) => r.id)).toEqual(recs.map((r) => r.id));
    expect(rows.map((r) => r.index)).toEqual(recs.map((_, i) => i));
    expect(rows.filter((r) => !r.hasText).map((r) => r.id)).toEqual(['r3', 'r7', 'r11', 'r15', 'r19']);
    // Third run: nothing left.
    const third = await runEmbedJob({ manifest: m, db, embedder: new FakeEmbedder(4), batchSize: 5 });
    expect(third).toMatchObject({ embedded: 0, alreadyDone: 23, rows: 23 });
  } finally {
    t.done();
  }
});

test('embed job: shards split the work; together they cover every record once', async () => {
  const t = tmp();
  try {
    const m = manifest(t.dir, Array.from({ length: 7 }, (_, i) => ({ id: `s${i}`, caption: `c${i}` })));
    const db = join(t.dir, 'db');
    const a = await runEmbedJob({ manifest: m, db, embedder: new FakeEmbedder(4), shard: { index: 0, count: 2 }, batchSize: 2 });
    const b = await runEmbedJob({ manifest: m, db, embedder: new FakeEmbedder(4), shard: { index: 1, count: 2 }, batchSize: 2 });
    expect([a.embedded, b.embedded]).toEqual([4, 3]);
    expect((await (await EmbeddingStore.open(db)).all()).map((r) => r.id)).toEqual(['s0', 's1', 's2', 's3', 's4', 's5', 's6']);
  } finally {
    t.done();
  }
});

test('embed job: a missing image → CurateImageError, finished batches kept; corrupt rows → CurateManifestError before any work', async () => {
  const t = tmp();
  try {
    const m = manifest(t.dir, [{ id: 'a', caption: 'x' }, { id: 'b', caption: 'y' }, { id: 'gone', caption: 'z', image: 'missing.png' }]);
    const db = join(t.dir, 'db');
    await expect(runEmbedJob({ manifest: m, db, embedder: new FakeEmbedder(4), batchSize: 2 })).rejects.toThrow(CurateImageError);
    await expect(runEmbedJob({ manifest: m, db, embedder: new FakeEmbedder(4), batchSize: 2 })).rejects.toThrow(/missing\.png does not exist/);
    expect([...(await (await EmbeddingStore.open(db)).ids())].sort()).toEqual(['a', 'b']);

    const bad = join(t.dir, 'bad.jsonl');
    writeFileSync(bad, '{"id":"a","image":"a.png"}\n{not json\n');
    const e = new FakeEmbedder(4);
    await expect(runEmbedJob({ manifest: bad, db: join(t.dir, 'db2'), embedder: e })).rejects.toThrow(/line 2: not valid JSON/);
    expect(e.imageCalls).toBe(0);
    writeFileSync(bad, '{"id":"a","image":"a.png"}\n{"id":"a","image":"b.png"}\n');
    await expect(runEmbedJob({ manifest: bad, db: join(t.dir, 'db2'), embedder: e })).rejects.toThrow(CurateManifestError);
    writeFileSync(bad, '{"id":"a"}\n');
    await expect(runEmbedJob({ manifest: bad, db: join(t.dir, 'db2'), embedder: e })).rejects.toThrow(CurateManifestError);
    await expect(runEmbedJob({ manifest: join(t.dir, 'nope.jsonl'), db: join(t.dir, 'db2'), embedder: e })).rejects.toThrow(CurateManifestError);
    await expect(runEmbedJob({ manifest: m, db, embedder: e, batchSize: 0 })).rejects.toThrow(CurateConfigError);
  } finally {
    t.done();
  }
});

test('embed job: SIGKILL mid-run (a real process kill), then re-run: whole batches kept, every record exactly once', async () => {
  const t = tmp();
  try {
    const n = 60;
    const m = manifest(t.dir, Array.from({ length: n }, (_, i) => ({ id: `k${i}`, caption: `caption ${i}` })));
    const db = join(t.dir, 'db');
    const child = spawn(process.execPath, [join(__dirname, '..', 'test', 'kill-child.mjs'), m, db], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const exited = new Promise<NodeJS.Signals | null>((ok) => child.on('exit', (_code, signal) => ok(signal)));
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      // Kill after the 4th commit, while the 5th batch is being embedded or committed.
      if (/committed 12\n/.test(out)) child.kill('SIGKILL');
    });
    const signal = await exited;
    expect(err).toBe('');
    expect(signal).toBe('SIGKILL');
    expect(out).not.toMatch(/finished/);
    const afterKill = await (await EmbeddingStore.open(db)).count();
    expect(afterKill % 3).toBe(0); // whole batches only
    expect(afterKill).toBeGreaterThanOrEqual(12);
    expect(afterKill).toBeLessThan(n);

    const e = new FakeEmbedder(4);
    const sum = await runEmbedJob({ manifest: m, db, embedder: e, batchSize: 7 });
    expect(sum.alreadyDone).toBe(afterKill);
    expect(sum.embedded).toBe(n - afterKill);
    const rows = await (await EmbeddingStore.open(db)).all();
    expect(rows.map((r) => r.id)).toEqual(Array.from({ length: n }, (_, i) => `k${i}`));
    expect(new Set(e.embeddedPaths).size).toBe(n - afterKill);
  } finally {
    t.done();
  }
});
