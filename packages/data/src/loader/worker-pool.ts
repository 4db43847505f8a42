import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { DataError } from '../errors';
import { processSample, type SampleResult, type SampleTask } from './process-sample';

/**
 * Where the built worker script is: `dist/worker.cjs`. From the built package this module is
 * dist/index.{js,cjs}, so it sits beside it; from the sources (jest runs src/loader/*.ts) it is
 * ../../dist/worker.cjs when the package has been built. Null when neither exists.
 */
export function defaultWorkerScript(): string | null {
  const candidates = [join(__dirname, 'worker.cjs'), join(__dirname, '..', '..', 'dist', 'worker.cjs')];
  return candidates.find((p) => existsSync(p)) ?? null;
}

/** Runs SampleTasks: in worker threads, or in this thread. */
export interface SampleRunner {
  run(task: SampleTask): Promise<SampleResult>;
  /** Number of threads doing the work (0 = this thread). */
  readonly threads: number;
  close(): Promise<void>;
}

/** Runs tasks in the calling thread (sharp still decodes on libuv's pool). */
export function inProcessRunner(): SampleRunner {
  return { run: processSample, threads: 0, close: async () => undefined };
}

interface Pending {
  resolve: (r: SampleResult) => void;
  reject: (e: Error) => void;
}

/**
 * A fixed pool of worker threads running `script`. Each task goes to the least-busy worker. Idle
 * workers are unref'd so they never keep the process alive; `close()` terminates them.
 */
export function workerPoolRunner(script: string, threads: number): SampleRunner {
  const workers = Array.from({ length: threads }, () => {
    const w = new Worker(script);
    w.unref();
    return { w, pending: new Map<number, Pending>() };
  });
  let nextId = 0;
  let closed = false;
  const fail = (slot: (typeof workers)[number], e: Error) => {
    for (const p of slot.pending.values()) p.reject(e);
    slot.pending.clear();
  };
  for (const slot of workers) {
    slot.w.on('message', (m: { jobId: number; result?: SampleResult; error?: { message: string; name?: string; code?: string } }) => {
      const p = slot.pending.get(m.jobId);
      if (!p) return;
      slot.pending.delete(m.jobId);
      if (slot.pending.size === 0) slot.w.unref();
      if (m.error) p.reject(new DataError(m.error.code ?? 'WORKER', `loader worker: ${m.error.name ?? 'Error'}: ${m.error.message}`));
      else p.resolve(m.result!);
    });
    slot.w.on('error', (e) => fail(slot, new DataError('WORKER', `loader worker crashed: ${e.message}`, { cause: e })));
    slot.w.on('exit', (code) => {
      if (!closed) fail(slot, new DataError('WORKER', `loader worker exited (code ${code}) with tasks pending`));
    });
  }
  return {
    threads,
    run(task: SampleTask): Promise<SampleResult> {
      if (closed) return Promise.reject(new DataError('WORKER', 'the loader is closed'));
      let slot = workers[0]!;
      for (const s of workers) if (s.pending.size < slot.pending.size) slot = s;
      const jobId = nextId++;
      return new Promise<SampleResult>((resolve, reject) => {
        if (slot.pending.size === 0) slot.w.ref();
        slot.pending.set(jobId, { resolve, reject });
        slot.w.postMessage({ jobId, task });
      });
    },
    async close() {
      if (closed) return;
      closed = true;
      await Promise.all(
        workers.map(async (s) => {
          fail(s, new DataError('WORKER', 'the loader was closed'));
          await s.w.terminate();
        }),
      );
    },
  };
}
