import { mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { asError } from '../captioner';
import { CaptionConfigError, CaptionerError, CaptionManifestError } from '../errors';
import { GRANULARITIES, type Granularity } from '../prompts';
import type { RecordCaptioner } from '../record-captioner';
import { readFailureIds, writeFailures, type CaptionFailure } from './failures';
import { JsonlAppender, readJsonlObjects, truncatePartialLine } from './jsonl-file';
import { JsonlLog } from './jsonl-log';
import { acquireLock } from './lock';
import { manifestRecords } from './manifest-records';
import { outputId, outputRecord, PROVENANCE_FIELD, type CaptionProvenance } from './output-record';
import { progressBar, type ProgressReporter } from './progress';
import type { JobRecord } from './record';
import { checkShard, inShard, shardName, WHOLE, type ShardSpec } from './shard';

export interface CaptionJobOptions {
  /** JSONL manifest: one object per line with `image` (and usually `id`). */
  manifest: string;
  /** JSONL output (appended to; re-running resumes). */
  out: string;
  captioner: RecordCaptioner;
  /** Default ['short']. Several give `synthetic_caption` as an array in this order. */
  granularities?: readonly Granularity[];
  /** Default the whole manifest (0/1). */
  shard?: ShardSpec;
  /** Records per batch: the unit of atomic appends (default 16). */
  batchSize?: number;
  /** Batches in flight at once (default 1; raise it for HTTP backends with high concurrency). */
  parallelBatches?: number;
  /** Only retry the records listed in the failures file of the last run. */
  retryFailed?: boolean;
  /** Default `<out>.failures.jsonl`. */
  failuresPath?: string;
  /** Default `<out>.log.jsonl`; null: no log file. */
  logPath?: string | null;
  /** true: cli-progress bar on stderr; or a custom reporter. Default false. */
  progress?: boolean | ProgressReporter;
  /** Stop after this many batches in a row in which every record failed (default 3; 0: never). */
  maxFailedBatchesInARow?: number;
  /** Stops taking new batches; batches in flight are finished and written (the summary says aborted). */
  signal?: AbortSignal;
}

export interface CaptionJobSummary {
  out: string;
  failuresPath: string;
  logPath: string | null;
  shard: string;
  /** Records of the manifest in this shard. */
  shardRecords: number;
  /** Shard records already in the output before this run. */
  alreadyDone: number;
  /** Records this run set out to caption. */
  todo: number;
  captioned: number;
  failed: CaptionFailure[];
  /** Bytes of a partial last line removed from the output (a killed run's batch in flight). */
  truncatedBytes: number;
  aborted: boolean;
  seconds: number;
  recordsPerSecond: number;
}

/**
 * Captions the records of one shard of a manifest and appends them to `out`, resumably:
 * records whose id is already in `out` are skipped, each batch is appended as one write of
 * complete lines + fsync, and a partial line left by a killed run is truncated on start.
 * Failed records go to the failures file (with their ids and errors); `retryFailed` retries only them.
 */
export async function runCaptionJob(options: CaptionJobOptions): Promise<CaptionJobSummary> {
  const t0 = Date.now();
  const out = resolve(options.out);
  const failuresPath = resolve(options.failuresPath ?? `${out}.failures.jsonl`);
  const logPath = options.logPath === null ? null : resolve(options.logPath ?? `${out}.log.jsonl`);
  const shard = checkShard(options.shard ?? WHOLE);
  const granularities = [...(options.granularities ?? ['short'])];
  if (granularities.length === 0 || granularities.some((g) => !GRANULARITIES.includes(g))) {
    throw new CaptionConfigError(`granularities must be a non-empty list of ${GRANULARITIES.join(', ')}; got ${JSON.stringify(granularities)}.`);
  }
  const batchSize = options.batchSize ?? 16;
  const parallel = options.parallelBatches ?? 1;
  for (const [name, v] of [['batchSize', batchSize], ['parallelBatches', parallel]] as const) {
    if (!(Number.isInteger(v) && v >= 1)) throw new CaptionConfigError(`${name} must be an integer ≥ 1, got ${v}.`);
  }
  const { captioner } = options;
  const provenance: Omit<CaptionProvenance, 'source_index'> = {
    backend: captioner.backend,
    model: captioner.model,
    granularity: granularities,
    prompt: granularities.map((g) => captioner.promptFor(g)),
  };

  await mkdir(dirname(out), { recursive: true });
  const release = await acquireLock(`${out}.lock`);
  const log = new JsonlLog(logPath ?? undefined);
  let reporter: ProgressReporter | undefined;
  try {
    // 1. Recover the output and collect the ids already captioned.
    const truncatedBytes = await truncatePartialLine(out);
    const done = new Set<string>();
    for (const { line, value } of await readJsonlObjects(out)) {
      const id = outputId(value);
      if (id === undefined) throw new CaptionManifestError(`${out} line ${line} has no id: it was not written by tips caption; use a new --out.`);
      checkCompatible(value, provenance, out, line);
      done.add(id);
    }
    const retryIds = options.retryFailed ? await readFailureIds(failuresPath) : undefined;
    const previousFailures = await readPreviousFailures(failuresPath);

    // 2. First pass over the manifest: count this shard's work and reject duplicate ids.
    const seen = new Map<string, number>();
    let shardRecords = 0;
    let alreadyDone = 0;
    let todo = 0;
    const wanted = (r: JobRecord): boolean => !done.has(r.id) && (!retryIds || retryIds.has(r.id));
    for await (const r of manifestRecords(options.manifest)) {
      if (!inShard(r.index, shard)) continue;
      const prev = seen.get(r.id);
      if (prev !== undefined) {
        throw new CaptionManifestError(`${resolve(options.manifest)}: id "${r.id}" appears on lines ${prev} and ${r.line}; ids must be unique for resume and merge.`);
      }
      seen.set(r.id, r.line);
      shardRecords++;
      if (done.has(r.id)) alreadyDone++;
      else if (wanted(r)) todo++;
    }
    seen.clear();

    log.write('start', {
      manifest: resolve(options.manifest),
      out,
      shard: shardName(shard),
      backend: provenance.backend,
      model: provenance.model,
      granularity: granularities,
      shard_records: shardRecords,
      already_done: alreadyDone,
      todo,
      retry_failed: !!options.retryFailed,
      truncated_bytes: truncatedBytes,
    });
    reporter = options.progress === true ? progressBar(`caption ${shardName(shard)}`) : options.progress || undefined;
    reporter?.start(todo);

    // 3. Second pass: batches of wanted records, `parallel` batches in flight, each appended when done.
    const source = (async function* () {
      for await (const r of manifestRecords(options.manifest)) if (inShard(r.index, shard) && wanted(r)) yield r;
    })();
    let exhausted = false;
    const nextBatch = async (): Promise<JobRecord[]> => {
      const batch: JobRecord[] = [];
      while (!exhausted && batch.length < batchSize) {
        const n = await source.next();
        if (n.done) exhausted = true;
        else batch.push(n.value);
      }
      return batch;
    };
    let pulling: Promise<unknown> = Promise.resolve();
    const takeBatch = (): Promise<JobRecord[]> => {
      const p = pulling.then(nextBatch);
      pulling = p.catch(() => undefined);
      return p;
    };

    const appender = await JsonlAppender.open(out);
    const failures: CaptionFailure[] = [];
    const attempted = new Set<string>();
    let captioned = 0;
    let failedInARow = 0;
    let fatal: Error | undefined;
    const maxFailedInARow = options.maxFailedBatchesInARow ?? 3;
    const stopped = (): boolean => fatal !== undefined || !!options.signal?.aborted;

    const worker = async (): Promise<void> => {
      while (!stopped()) {
        const batch = await takeBatch();
        if (batch.length === 0) return;
        const tb = Date.now();
        let perGranularity;
        try {
          // Not given the job's signal: a stop request lets the batches in flight finish and be written.
          perGranularity = await Promise.all(granularities.map((g) => captioner.captionRecords(batch, g)));
        } catch (e) {
          fatal ??= asError(e);
          return;
        }
        const lines: Record<string, unknown>[] = [];
        let batchFailed = 0;
        batch.forEach((r, i) => {
          attempted.add(r.id);
          const errs = perGranularity.map((res, k) => ({ g: granularities[k]!, res: res[i] })).filter((x) => !x.res || !x.res.ok);
          if (errs.length === 0) {
            lines.push(outputRecord(r, perGranularity.map((res) => (res[i] as { caption: string }).caption), provenance));
            return;
          }
          batchFailed++;
          const first = errs[0]!;
          const err = first.res && !first.res.ok ? first.res.error : new Error(`the backend returned no result for granularity ${first.g}`);
          failures.push({
            id: r.id,
            index: r.index,
            line: r.line,
            image: r.image,
            error: err.name,
            ...((err as { code?: unknown }).code !== undefined ? { code: String((err as { code?: unknown }).code) } : {}),
            message: `[${first.g}] ${err.message}`,
          });
          log.write('failure', { id: r.id, index: r.index, granularity: first.g, error: err.name, message: err.message });
        });
        await appender.append(lines);
        captioned += lines.length;
        failedInARow = batchFailed === batch.length ? failedInARow + 1 : 0;
        if (maxFailedInARow > 0 && failedInARow >= maxFailedInARow) {
          fatal ??= new CaptionerError(
            'CAPTION_JOB_FAILING',
            `${failedInARow} batches in a row failed completely; stopping. Last error: ${failures[failures.length - 1]?.message}. ` +
              `Fix the cause and re-run (finished records are kept; see ${failuresPath}).`,
          );
        }
        const elapsed = (Date.now() - t0) / 1000;
        const handled = captioned + failures.length;
        const rate = handled / Math.max(elapsed, 1e-3);
        log.write('batch', { records: batch.length, captioned: lines.length, failed: batchFailed, ms: Date.now() - tb, done: handled, todo, rate: round(rate) });
        reporter?.update({ done: handled, total: todo, failed: failures.length, rate, etaSeconds: (todo - handled) / Math.max(rate, 1e-9) });
      }
    };
    try {
      await Promise.all(Array.from({ length: parallel }, worker));
    } finally {
      await appender.close();
      await source.return(undefined);
    }

    // 4. Failures: this run's, plus earlier ones not attempted this run and still not captioned.
    const carried = previousFailures.filter((f) => !attempted.has(f.id) && !done.has(f.id));
    await writeFailures(failuresPath, [...carried, ...failures]);
    const seconds = (Date.now() - t0) / 1000;
    const summary: CaptionJobSummary = {
      out,
      failuresPath,
      logPath,
      shard: shardName(shard),
      shardRecords,
      alreadyDone,
      todo,
      captioned,
      failed: failures,
      truncatedBytes,
      aborted: !!options.signal?.aborted || fatal !== undefined,
      seconds,
      recordsPerSecond: round((captioned + failures.length) / Math.max(seconds, 1e-3)),
    };
    log.write('end', { ...summary, failed: failures.length, failed_ids: failures.slice(0, 100).map((f) => f.id), error: fatal?.message });
    if (fatal) throw fatal;
    return summary;
  } finally {
    reporter?.stop();
    await release();
  }
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}

async function readPreviousFailures(path: string): Promise<CaptionFailure[]> {
  return (await readJsonlObjects(path)).map((o) => o.value as unknown as CaptionFailure);
}

/** An output must hold one kind of caption: refuse to mix backends or granularities in one file. */
function checkCompatible(value: Record<string, unknown>, p: Omit<CaptionProvenance, 'source_index'>, out: string, line: number): void {
  const prev = value[PROVENANCE_FIELD] as Partial<CaptionProvenance> | undefined;
  if (!prev) throw new CaptionManifestError(`${out} line ${line} has no ${PROVENANCE_FIELD}: it was not written by tips caption; use a new --out.`);
  const same =
    prev.backend === p.backend &&
    prev.model === p.model &&
    JSON.stringify(prev.granularity) === JSON.stringify(p.granularity);
  if (!same) {
    throw new CaptionConfigError(
      `${out} was written with backend ${prev.backend}, model ${prev.model}, granularity ${JSON.stringify(prev.granularity)}; ` +
        `this run uses ${p.backend}, ${p.model}, ${JSON.stringify(p.granularity)}. Resume with the same settings, or write to a new --out.`,
    );
  }
}
