import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { makeImageManifest, parseJsonl } from '../../test/make-manifest';
import { digestCaption, startChatServer, type ChatServer } from '../testing/chat-server';
import { mergeCaptionShards } from './merge';

const TEST_DIR = resolve(__dirname, '..', '..', 'test');

/** Runs the caption job in a child process (the real src, through SWC) against the test server. */
function spawnJob(opts: Record<string, unknown>): { child: ChildProcess; done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> } {
  const child = spawn(process.execPath, [join(TEST_DIR, 'caption-child.cjs'), JSON.stringify(opts)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString();
    (child as ChildProcess & { stderrText?: string }).stderrText = stderr;
  });
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((ok) =>
    child.on('exit', (code, signal) => ok({ code, signal, stdout, stderr })),
  );
  return { child, done };
}

/** Polls `cond`; fails at once if one of `watch` exits first (with its stderr), or after the timeout. */
async function waitFor(cond: () => boolean, watch: ChildProcess[], timeoutMs = 60_000): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    const dead = watch.find((c) => c.exitCode !== null || c.signalCode !== null);
    if (dead) throw new Error(`child exited early (${dead.exitCode ?? dead.signalCode}): ${(dead as ChildProcess & { stderrText?: string }).stderrText ?? ''}`);
    if (Date.now() - t0 > timeoutMs) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function lineCount(path: string): Promise<number> {
  try {
    return parseJsonl(await readFile(path, 'utf8')).length;
  } catch {
    return 0;
  }
}

describe('caption job killed with SIGKILL mid-run and re-run (child processes, real HTTP server)', () => {
  let dir: string;
  let server: ChatServer;
  const children: ChildProcess[] = [];
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'capt-kill-'));
  });
  afterEach(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await server?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('resumes: the final output has every record exactly once, with its own caption', async () => {
    const n = 60;
    const { manifest, bytes, ids } = await makeImageManifest(dir, n);
    server = await startChatServer({ delayMs: 30 });
    const out = join(dir, 'out.jsonl');
    const opts = { manifest, out, baseUrl: server.baseUrl, batchSize: 4, parallelBatches: 2, concurrency: 4 };

    const first = spawnJob(opts);
    children.push(first.child);
    // Kill it once a few batches are on disk and requests of later batches are in flight.
    await waitFor(() => server.requests.length >= 24, [first.child]);
    first.child.kill('SIGKILL');
    const r1 = await first.done;
    expect(r1.signal).toBe('SIGKILL');
    const afterKill = await lineCount(out);
    expect(afterKill).toBeGreaterThan(0);
    expect(afterKill).toBeLessThan(n);

    const second = spawnJob(opts);
    children.push(second.child);
    const r2 = await second.done;
    expect(r2.stderr).toBe('');
    expect(r2.code).toBe(0);
    const summary = JSON.parse(r2.stdout) as { alreadyDone: number; captioned: number; todo: number };
    expect(summary.alreadyDone).toBe(afterKill);
    expect(summary.captioned).toBe(n - afterKill);

    const lines = parseJsonl(await readFile(out, 'utf8'));
    expect(lines).toHaveLength(n);
    expect(new Set(lines.map((l) => l.id)).size).toBe(n);
    expect(lines.map((l) => l.id as string).sort()).toEqual(ids);
    for (const l of lines) expect(l.synthetic_caption).toBe(digestCaption(bytes.get(l.id as string)!));
    // At most the batches in flight at the kill were captioned twice.
    expect(server.requests.length).toBeLessThanOrEqual(n + 2 * 4);
    // The lock of the killed job was taken over and released.
    await expect(readFile(`${out}.lock`)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('three shards in parallel, one killed and re-run; the merge has every record exactly once in manifest order', async () => {
    const n = 45;
    const { manifest, bytes, ids } = await makeImageManifest(dir, n);
    server = await startChatServer({ delayMs: 25 });
    const outs = [0, 1, 2].map((i) => join(dir, `shard-${i}.jsonl`));
    const jobs = outs.map((out, i) => spawnJob({ manifest, out, baseUrl: server.baseUrl, shard: { index: i, count: 3 }, batchSize: 3, concurrency: 2 }));
    children.push(...jobs.map((j) => j.child));
    await waitFor(() => server.requests.filter((r) => ids.indexOf(idOf(r.imageDigest)) % 3 === 1).length >= 6, [jobs[1]!.child]);
    jobs[1]!.child.kill('SIGKILL');
    const results = await Promise.all(jobs.map((j) => j.done));
    expect(results.map((r) => r.code)).toEqual([0, null, 0]);
    const killedCount = await lineCount(outs[1]!);
    expect(killedCount).toBeLessThan(15);

    const before = await mergeCaptionShards(outs, join(dir, 'merged.jsonl'), { manifest });
    expect(before.missing.length).toBe(15 - killedCount);

    const rerun = spawnJob({ manifest, out: outs[1]!, baseUrl: server.baseUrl, shard: { index: 1, count: 3 }, batchSize: 3, concurrency: 2 });
    children.push(rerun.child);
    expect((await rerun.done).code).toBe(0);
    const merged = await mergeCaptionShards(outs, join(dir, 'merged.jsonl'), { manifest, requireComplete: true });
    expect(merged).toMatchObject({ records: n, missing: [], duplicates: [] });
    const lines = parseJsonl(await readFile(join(dir, 'merged.jsonl'), 'utf8'));
    expect(lines.map((l) => l.id)).toEqual(ids);
    for (const l of lines) expect(l.synthetic_caption).toBe(digestCaption(bytes.get(l.id as string)!));

    function idOf(digest: string): string {
      for (const [id, b] of bytes) if (require('node:crypto').createHash('sha1').update(b).digest('hex') === digest) return id;
      return '';
    }
  });
});
