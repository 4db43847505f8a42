import { appendFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeImageManifest, parseJsonl } from '../../test/make-manifest';
import { OpenAICaptioner } from '../backends/openai';
import { CaptionConfigError } from '../errors';
import { imageRecordCaptioner } from '../record-captioner';
import { digestCaption, startChatServer, type ChatServer, type PlanAction } from '../testing/chat-server';
import { truncatePartialLine } from './jsonl-file';
import { mergeCaptionShards } from './merge';
import { runCaptionJob } from './run-caption-job';
import { parseShard } from './shard';

describe('runCaptionJob (in process, against the test chat server)', () => {
  let dir: string;
  let server: ChatServer | undefined;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'capt-job-'));
  });
  afterEach(async () => {
    await server?.close();
    server = undefined;
    await rm(dir, { recursive: true, force: true });
  });
  const http = (s: ChatServer, concurrency = 4) =>
    imageRecordCaptioner(new OpenAICaptioner({ baseUrl: s.baseUrl, model: 'test-vlm', concurrency, retry: { baseDelayMs: 5, maxDelayMs: 50, maxAttempts: 2 } }));

  it('writes input + synthetic_caption + provenance for every record, and resumes without redoing any', async () => {
    const { manifest, bytes, ids } = await makeImageManifest(dir, 23);
    server = await startChatServer();
    const out = join(dir, 'out.jsonl');
    const first = await runCaptionJob({ manifest, out, captioner: http(server), granularities: ['short', 'detailed'], batchSize: 5, parallelBatches: 2 });
    expect(first).toMatchObject({ shardRecords: 23, alreadyDone: 0, todo: 23, captioned: 23, failed: [], truncatedBytes: 0 });
    expect(server.requests).toHaveLength(46);
    const lines = parseJsonl(await readFile(out, 'utf8'));
    expect(lines.map((l) => l.id).sort()).toEqual(ids);
    for (const l of lines) {
      const caption = digestCaption(bytes.get(l.id as string)!);
      expect(l.synthetic_caption).toEqual([caption, caption]);
      expect(l.web_caption).toBe(`photo ${Number((l.id as string).slice(4))}`);
      expect(l.image).toBe(`images/${l.id as string}.png`);
      expect(l.caption_provenance).toMatchObject({ backend: 'openai', model: 'test-vlm', granularity: ['short', 'detailed'] });
      expect((l.caption_provenance as { prompt: string[] }).prompt[0]).toMatch(/one-sentence caption/);
    }
    const prompts = new Set(server.requests.map((r) => r.prompt));
    expect(prompts.size).toBe(2);

    const again = await runCaptionJob({ manifest, out, captioner: http(server), granularities: ['short', 'detailed'] });
    expect(again).toMatchObject({ alreadyDone: 23, todo: 0, captioned: 0 });
    expect(server.requests).toHaveLength(46);
    const log = parseJsonl(await readFile(`${out}.log.jsonl`, 'utf8'));
    expect(log.map((e) => e.event).filter((e) => e !== 'batch')).toEqual(['start', 'end', 'start', 'end']);
    expect(log.filter((e) => e.event === 'batch')).toHaveLength(5);
  });

  it('truncates a partial last line left by a killed run and captions that record again', async () => {
    const { manifest, ids } = await makeImageManifest(dir, 6);
    server = await startChatServer();
    const out = join(dir, 'out.jsonl');
    await runCaptionJob({ manifest, out, captioner: http(server), batchSize: 2 });
    // Simulate a kill in the middle of writing a batch: drop the last line and leave half of it.
    const text = await readFile(out, 'utf8');
    const rows = text.trimEnd().split('\n');
    const partial = rows.pop()!.slice(0, 25);
    await writeFile(out, `${rows.join('\n')}\n${partial}`);
    const r = await runCaptionJob({ manifest, out, captioner: http(server), batchSize: 2 });
    expect(r.truncatedBytes).toBe(25);
    expect(r).toMatchObject({ alreadyDone: 5, captioned: 1 });
    const lines = parseJsonl(await readFile(out, 'utf8'));
    expect(lines.map((l) => l.id).sort()).toEqual(ids);
  });

  it('lists failures with ids and errors; --retry-failed retries only them', async () => {
    const { manifest, bytes, ids } = await makeImageManifest(dir, 12);
    const bad = new Set([ids[3]!, ids[7]!, ids[8]!].map((id) => digestCaption(bytes.get(id)!)));
    let healthy = false;
    server = await startChatServer({
      plan: (r): PlanAction => (!healthy && bad.has(digestCaption(r.imageBytes)) ? { kind: 'status', status: 400, body: '{"error":"unsupported image"}' } : { kind: 'ok' }),
    });
    const out = join(dir, 'out.jsonl');
    const first = await runCaptionJob({ manifest, out, captioner: http(server), batchSize: 4 });
    expect(first.captioned).toBe(9);
    expect(first.failed.map((f) => f.id)).toEqual([ids[3], ids[7], ids[8]]);
    expect(first.failed[0]).toMatchObject({ error: 'CaptionHttpError', code: 'CAPTION_HTTP', index: 3 });
    expect(first.failed[0]!.message).toContain('unsupported image');
    const failuresFile = parseJsonl(await readFile(first.failuresPath, 'utf8'));
    expect(failuresFile.map((f) => f.id)).toEqual([ids[3], ids[7], ids[8]]);

    healthy = true;
    const before = server.requests.length;
    const retry = await runCaptionJob({ manifest, out, captioner: http(server), retryFailed: true });
    expect(retry).toMatchObject({ todo: 3, captioned: 3, failed: [], alreadyDone: 9 });
    expect(server.requests.length - before).toBe(3);
    expect(await readFile(first.failuresPath, 'utf8')).toBe('');
    const lines = parseJsonl(await readFile(out, 'utf8'));
    expect(lines.map((l) => l.id).sort()).toEqual(ids);
  });

  it('stops after batches that fail completely (server down) and keeps what it finished', async () => {
    const { manifest } = await makeImageManifest(dir, 20);
    server = await startChatServer({ plan: (r): PlanAction => (r.index < 4 ? { kind: 'ok' } : { kind: 'status', status: 503 }) });
    const out = join(dir, 'out.jsonl');
    await expect(runCaptionJob({ manifest, out, captioner: http(server, 1), batchSize: 2, maxFailedBatchesInARow: 2 })).rejects.toMatchObject({
      code: 'CAPTION_JOB_FAILING',
    });
    expect(parseJsonl(await readFile(out, 'utf8'))).toHaveLength(4);
    expect(parseJsonl(await readFile(`${out}.failures.jsonl`, 'utf8'))).toHaveLength(4);
  });

  it('refuses to mix settings in one output, duplicate ids, a second writer, and bad options', async () => {
    const { manifest } = await makeImageManifest(dir, 4);
    server = await startChatServer();
    const out = join(dir, 'out.jsonl');
    await runCaptionJob({ manifest, out, captioner: http(server) });
    await expect(runCaptionJob({ manifest, out, captioner: http(server), granularities: ['detailed'] })).rejects.toThrow(CaptionConfigError);

    const dup = join(dir, 'dup.jsonl');
    await writeFile(dup, '{"id":"a","image":"x.png"}\n{"id":"b","image":"y.png"}\n{"id":"a","image":"z.png"}\n');
    await expect(runCaptionJob({ manifest: dup, out: join(dir, 'o2.jsonl'), captioner: http(server) })).rejects.toThrow(/"a" appears on lines 1 and 3/);

    const bad = join(dir, 'bad.jsonl');
    await writeFile(bad, '{"id":"a","image":"x.png"}\n{"id":"b"}\n');
    // Lines are validated by @tips/data's parseManifestLine (DatasetFormatError names file, line and field).
    await expect(runCaptionJob({ manifest: bad, out: join(dir, 'o3.jsonl'), captioner: http(server) })).rejects.toThrow(/bad.jsonl line 2: image/);
    await expect(runCaptionJob({ manifest: join(dir, 'nope.jsonl'), out: join(dir, 'o4.jsonl'), captioner: http(server) })).rejects.toThrow(/Cannot open manifest/);

    // A live writer holds the lock (this process's parent pid stands in for another job on this host).
    await writeFile(`${join(dir, 'o5.jsonl')}.lock`, JSON.stringify({ pid: process.ppid, host: require('node:os').hostname() }));
    await expect(runCaptionJob({ manifest, out: join(dir, 'o5.jsonl'), captioner: http(server) })).rejects.toThrow(/Another caption job/);
    // A stale lock (dead pid) is taken over.
    await writeFile(`${join(dir, 'o6.jsonl')}.lock`, JSON.stringify({ pid: 2 ** 22 + 12345, host: require('node:os').hostname() }));
    await expect(runCaptionJob({ manifest, out: join(dir, 'o6.jsonl'), captioner: http(server) })).resolves.toMatchObject({ captioned: 4 });

    expect(() => parseShard('3/3')).toThrow(/out of range/);
    expect(() => parseShard('1-3')).toThrow(/i\/n/);
    expect(parseShard(' 2 / 5 ')).toEqual({ index: 2, count: 5 });
    await expect(runCaptionJob({ manifest, out, captioner: http(server), batchSize: 0 })).rejects.toThrow(/batchSize/);
    await expect(runCaptionJob({ manifest, out, captioner: http(server), retryFailed: true, failuresPath: join(dir, 'none.jsonl') })).rejects.toThrow(/no failures file/);
  });

  it('shards by record index; merge restores manifest order with each record once and reports missing ids', async () => {
    const { manifest, ids } = await makeImageManifest(dir, 17);
    server = await startChatServer();
    const outs = [0, 1, 2].map((i) => join(dir, `out-${i}.jsonl`));
    const sums = await Promise.all(outs.map((out, i) => runCaptionJob({ manifest, out, captioner: http(server!), shard: { index: i, count: 3 }, batchSize: 2 })));
    expect(sums.map((s) => s.shardRecords)).toEqual([6, 6, 5]);
    for (const [i, out] of outs.entries()) {
      const got = parseJsonl(await readFile(out, 'utf8')).map((l) => l.id);
      expect(got.sort()).toEqual(ids.filter((_, k) => k % 3 === i));
    }
    const partial = await mergeCaptionShards(outs.slice(0, 2), join(dir, 'partial.jsonl'), { manifest });
    expect(partial.missing).toEqual(ids.filter((_, k) => k % 3 === 2));
    await expect(mergeCaptionShards(outs.slice(0, 2), join(dir, 'p2.jsonl'), { manifest, requireComplete: true })).rejects.toThrow(/have no caption/);

    // A shard given twice and a partial line at the end of one shard are tolerated.
    await appendFile(outs[1]!, '{"id":"img-9999","synth');
    const merged = await mergeCaptionShards([...outs, outs[0]!], join(dir, 'merged.jsonl'), { manifest });
    expect(merged).toMatchObject({ records: 17, missing: [] });
    expect(merged.duplicates).toHaveLength(6);
    expect(parseJsonl(await readFile(join(dir, 'merged.jsonl'), 'utf8')).map((l) => l.id)).toEqual(ids);
  });

  it('a stop request (signal) finishes the batches in flight, writes them and reports aborted', async () => {
    const { manifest, ids } = await makeImageManifest(dir, 20);
    server = await startChatServer({ delayMs: 40 });
    const out = join(dir, 'out.jsonl');
    const ac = new AbortController();
    const progress = { start: () => undefined, stop: () => undefined, update: (s: { done: number }) => (s.done >= 4 ? ac.abort(new Error('stop')) : undefined) };
    const r = await runCaptionJob({ manifest, out, captioner: http(server), batchSize: 2, parallelBatches: 2, signal: ac.signal, progress });
    expect(r.aborted).toBe(true);
    expect(r.captioned).toBeGreaterThanOrEqual(4);
    expect(r.captioned).toBeLessThan(20);
    expect(r.captioned % 2).toBe(0); // whole batches only
    expect(parseJsonl(await readFile(out, 'utf8'))).toHaveLength(r.captioned);
    const rest = await runCaptionJob({ manifest, out, captioner: http(server), batchSize: 2 });
    expect(rest).toMatchObject({ aborted: false, alreadyDone: r.captioned, captioned: 20 - r.captioned });
    expect(parseJsonl(await readFile(out, 'utf8')).map((l) => l.id).sort()).toEqual(ids);
  });

  it('truncatePartialLine keeps complete lines only', async () => {
    const p = join(dir, 't.jsonl');
    await writeFile(p, '{"a":1}\n{"b":2}\n{"c":');
    expect(await truncatePartialLine(p)).toBe(5);
    expect(await readFile(p, 'utf8')).toBe('{"a":1}\n{"b":2}\n');
    expect(await truncatePartialLine(p)).toBe(0);
    await writeFile(p, 'no newline at all');
    expect(await truncatePartialLine(p)).toBe(17);
    expect(await readFile(p, 'utf8')).toBe('');
    expect(await truncatePartialLine(join(dir, 'missing'))).toBe(0);
  });
});
