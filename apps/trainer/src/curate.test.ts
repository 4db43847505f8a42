import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { EmbeddingStore } from '@tips/curate';

const run = promisify(execFile);
const CLI = join(__dirname, '..', 'dist', 'cli.js');
const ids = (file: string) => readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l).id as string);
const at = (deg: number) => Float32Array.from([Math.cos((deg * Math.PI) / 180), Math.sin((deg * Math.PI) / 180)]);

describe('tips curate', () => {
  it('language, similarity, dedup and select write the kept manifest and a report', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tips-curate-'));
    const captions = ['a red car parked on the street', 'un perro en la playa', 'a dog on the beach', 'two kids playing football'];
    writeFileSync(join(dir, 'm.jsonl'), captions.map((c, i) => JSON.stringify({ id: `r${i}`, image: `${i}.png`, web_caption: c })).join('\n'));
    const lang = JSON.parse((await run('node', [CLI, 'curate', 'language', '--manifest', join(dir, 'm.jsonl'), '--out', join(dir, 'en.jsonl')], { cwd: tmpdir() })).stdout);
    expect(lang).toMatchObject({ records: 4, kept: 3, dropped: 1 });
    expect(ids(join(dir, 'en.jsonl'))).toEqual(['r0', 'r2', 'r3']);

    // Hand-built 2-d embeddings: images at 0°, 2°, 90°, 91°; texts at 0°, 90°, 2°, 91° → cos 1, 0.03, 0.03, 1 (approx.).
    const db = join(dir, 'db');
    const img = [0, 2, 90, 91];
    const txt = [0, 90, 2, 91];
    await (await EmbeddingStore.open(db)).add(img.map((d, i) => ({ id: `r${i}`, index: i, image: join(dir, `${i}.png`), vector: at(d), vector2: at(d), textVector: at(txt[i]!), hasText: true, caption: captions[i]! })));
    const sim = JSON.parse((await run('node', [CLI, 'curate', 'similarity', '--manifest', join(dir, 'm.jsonl'), '--db', db, '--out', join(dir, 'sim.jsonl'), '--threshold', '0.9'], { cwd: tmpdir() })).stdout);
    expect(sim).toMatchObject({ kept: 2, dropped: 2 });
    expect(ids(join(dir, 'sim.jsonl'))).toEqual(['r0', 'r3']);
    const dd = JSON.parse((await run('node', [CLI, 'curate', 'dedup', '--manifest', join(dir, 'm.jsonl'), '--db', db, '--out', join(dir, 'dd.jsonl'), '--within', '0.99'], { cwd: tmpdir() })).stdout);
    expect(dd).toMatchObject({ kept: 2, removedWithin: 2 });
    expect(ids(join(dir, 'dd.jsonl'))).toEqual(['r0', 'r2']);
    expect(JSON.parse(readFileSync(join(dir, 'dd.jsonl.report.json'), 'utf8')).kept).toBe(2);
    // select, k = 1: a query at 5° is nearest r1 (2°), one at 95° nearest r3 (91°).
    const qdb = join(dir, 'qdb');
    await (await EmbeddingStore.open(qdb)).add([5, 95].map((d, i) => ({ id: `q${i}`, index: i, image: join(dir, `q${i}.png`), vector: at(d), vector2: at(d), textVector: at(d), hasText: true, caption: 'q' })));
    const sel = JSON.parse((await run('node', [CLI, 'curate', 'select', '--manifest', join(dir, 'm.jsonl'), '--db', db, '--query-db', qdb, '--k', '1', '--out', join(dir, 'sel.jsonl')], { cwd: tmpdir() })).stdout);
    expect(sel).toMatchObject({ kept: 2, queries: 2, k: 1 });
    expect(ids(join(dir, 'sel.jsonl'))).toEqual(['r1', 'r3']);
    await expect(run('node', [CLI, 'curate', 'similarity', '--manifest', join(dir, 'm.jsonl'), '--db', db, '--out', join(dir, 'x.jsonl')], { cwd: tmpdir() })).rejects.toMatchObject({ stderr: expect.stringMatching(/exactly one of threshold or topFraction/) });
  }, 120000);
});
