import { Worker, type TransferListItem } from 'node:worker_threads';
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as tf from '@tensorflow/tfjs-core';
import { getOpsPath, type OpsPath } from '../ops/path';
import { flatLayout, ParallelError, viewsOf, type FlatLayout, type ParamShape } from './layout';
import type { MainToWorker, WorkerBoot, WorkerToMain } from './protocol';

declare const __dirname: string | undefined;

export interface DataParallelOptions<Init = unknown> {
  /** Path (or file: URL) of the gradient module each worker imports; see GradientModule. */
  module: string;
  /** The parameters, in the order of the flat buffers. */
  params: readonly ParamShape[];
  /** Number of workers (default os.availableParallelism()). */
  workers?: number;
  /** tfjs backend in the workers (default TIPS_BACKEND, else 'wasm'). */
  backend?: string;
  /** Ops path in the workers (default: this thread's getOpsPath()). */
  opsPath?: OpsPath;
  /** Passed (structured-cloned) to the module's setup and every call, as ctx.init. */
  init?: Init;
  /** Location of parallel-worker.cjs when it is not next to this module or in the package's dist/. */
  workerScript?: string;
}

export interface StepOptions {
  /** Run the module's applyUpdate on each worker's segment after the reduction (a sharded optimiser). */
  update?: boolean;
  /** Transferable objects per shard (e.g. the shard's ArrayBuffers), moved instead of copied. */
  transfer?: TransferListItem[][];
}

export interface StepResult {
  /** The step number (1 for the first). */
  step: number;
  /** Reduced gradients (Σ weight·grad / Σ weight) as per-parameter views; valid until the next step. */
  grads: Map<string, Float32Array>;
  /** The same, as one flat buffer in layout order; valid until the next step. */
  flat: Float32Array;
  /** Each worker's metrics, in worker order (plus `tensors`, the worker's live tf tensor count). */
  metrics: Record<string, number>[];
  /** Each worker's shard weight. */
  shardWeights: number[];
  /** Milliseconds: each worker's gradient computation, the slowest reduction, and the whole step. */
  timings: { compute: number[]; reduce: number; total: number };
}

/** Finds dist/parallel-worker.cjs: next to this file (dist build) or in ../../dist (sources under jest). */
function findWorkerScript(explicit?: string): string {
  if (explicit) {
    const p = explicit.startsWith('file:') ? fileURLToPath(explicit) : resolve(explicit);
    if (!existsSync(p)) throw new ParallelError(`worker script ${p} does not exist`);
    return p;
  }
  const here = typeof __dirname === 'string' ? __dirname : process.cwd();
  const candidates = [join(here, 'parallel-worker.cjs'), join(here, '..', '..', 'dist', 'parallel-worker.cjs'), join(here, '..', 'dist', 'parallel-worker.cjs')];
  const found = candidates.find((c) => existsSync(c));
  if (!found) throw new ParallelError(`cannot find parallel-worker.cjs (looked in ${candidates.join(', ')}); build @tips/runtime with \`npm run build -w @tips/runtime\` or pass options.workerScript`);
  return found;
}

interface Pending {
  expect: 'computed' | 'reduced';
  got: (WorkerToMain | undefined)[];
  left: number;
  resolve: () => void;
}

/**
 * Data-parallel gradient computation over worker threads. Each worker runs its own tfjs backend
 * (wasm: one core each) and a user module's `computeGradients(shard, weights)`; the pool averages
 * the workers' gradients into shared memory with a fixed reduction order, so a step is reproducible
 * bit for bit whatever the thread timing. Weights live in a SharedArrayBuffer the main thread writes
 * (`setWeights`) and every worker reads, so all workers compute at identical weights.
 *
 * ```ts
 * const pool = await DataParallelPool.create({ module: '/abs/path/step-module.mjs', params: [{ name: 'w', shape: [4, 2] }] });
 * pool.setWeights({ w: initialW });
 * const { grads } = await pool.step(shards);   // one shard per worker
 * // … optimiser update from grads, then pool.setWeights(updated) …
 * await pool.close();
 * ```
 */
export class DataParallelPool<Shard = unknown> {
  readonly layout: FlatLayout;
  /** Per-parameter views of the shared weights (write through setWeights, or write and call weightsChanged()). */
  readonly weights: Map<string, Float32Array>;
  private readonly weightsFlat: Float32Array;
  private readonly slot0: Float32Array;
  private version = 0;
  private steps = 0;
  private pending: Pending | null = null;
  private broken: Error | null = null;
  private closed = false;
  private running = false;

  private constructor(
    private readonly workers: Worker[],
    layout: FlatLayout,
    weightsBuf: SharedArrayBuffer,
    gradsBuf: SharedArrayBuffer,
  ) {
    this.layout = layout;
    this.weightsFlat = new Float32Array(weightsBuf, 0, layout.total);
    this.weights = viewsOf(layout, this.weightsFlat);
    this.slot0 = new Float32Array(gradsBuf, 0, layout.total);
  }

  /** Starts the workers and waits until each has its backend and module ready. */
  static async create<Shard = unknown, Init = unknown>(options: DataParallelOptions<Init>): Promise<DataParallelPool<Shard>> {
    const count = options.workers ?? availableParallelism();
    if (!Number.isInteger(count) || count < 1) throw new ParallelError(`workers must be a positive integer; got ${options.workers}`);
    const layout = flatLayout(options.params);
    const modulePath = options.module.startsWith('file:') ? fileURLToPath(options.module) : options.module;
    if (!isAbsolute(modulePath)) throw new ParallelError(`module must be an absolute path or file: URL (workers resolve it on their own); got '${options.module}'`);
    if (!existsSync(modulePath)) throw new ParallelError(`gradient module ${modulePath} does not exist`);
    const script = findWorkerScript(options.workerScript);
    const P = layout.total;
    const weightsBuf = new SharedArrayBuffer(Math.max(4, P * 4));
    const gradsBuf = new SharedArrayBuffer(Math.max(4, count * P * 4));
    const shardWeightsBuf = new SharedArrayBuffer(count * 8);
    const backend = options.backend ?? process.env.TIPS_BACKEND ?? 'wasm';
    const opsPath = options.opsPath ?? getOpsPath();
    const workers: Worker[] = [];
    const ready: Promise<void>[] = [];
    for (let index = 0; index < count; index++) {
      const boot: WorkerBoot = { index, count, modulePath, backend, layout, weights: weightsBuf, grads: gradsBuf, shardWeights: shardWeightsBuf, init: options.init };
      const w = new Worker(script, { workerData: boot, env: { ...process.env, TIPS_OPS: opsPath } });
      workers.push(w);
      ready.push(
        new Promise<void>((res, rej) => {
          const onMsg = (m: WorkerToMain) => {
            if (m.type === 'ready') {
              w.off('message', onMsg);
              res();
            } else if (m.type === 'error') rej(new ParallelError(`worker ${index} failed during setup: ${m.message}\n${m.stack ?? ''}`));
          };
          w.on('message', onMsg);
          w.once('error', (e) => rej(new ParallelError(`worker ${index} crashed during setup: ${e.message}`, { cause: e })));
          w.once('exit', (code) => rej(new ParallelError(`worker ${index} exited with code ${code} during setup`)));
        }),
      );
    }
    try {
      await Promise.all(ready);
    } catch (e) {
      await Promise.all(workers.map((w) => w.terminate()));
      throw e;
    }
    const pool = new DataParallelPool<Shard>(workers, layout, weightsBuf, gradsBuf);
    workers.forEach((w, i) => pool.listen(w, i));
    return pool;
  }

  /** Number of workers (= shards per step). */
  get size(): number {
    return this.workers.length;
  }

  /** Version of the weights the workers will see next (bumped by setWeights / weightsChanged / update steps). */
  get weightsVersion(): number {
    return this.version;
  }

  private listen(w: Worker, index: number): void {
    w.removeAllListeners('message');
    w.removeAllListeners('error');
    w.removeAllListeners('exit');
    w.on('message', (m: WorkerToMain) => this.onMessage(index, m));
    w.on('error', (e) => this.fail(new ParallelError(`worker ${index} crashed: ${e.message}`, { cause: e })));
    w.on('exit', (code) => {
      if (!this.closed) this.fail(new ParallelError(`worker ${index} exited unexpectedly (code ${code})`));
    });
  }

  private onMessage(index: number, m: WorkerToMain): void {
    const p = this.pending;
    if (!p || m.type === 'ready') return;
    if (p.got[index] === undefined) p.left--;
    p.got[index] = m;
    if (p.left === 0) p.resolve();
  }

  private fail(e: Error): void {
    if (this.broken) return;
    this.broken = e;
    this.pending?.resolve();
  }

  /** Copies weights (Float32Array or tf.Tensor per name; every name of the layout must be given) into shared memory. */
  setWeights(values: Map<string, Float32Array | tf.Tensor> | Record<string, Float32Array | tf.Tensor>): void {
    const get = (n: string) => (values instanceof Map ? values.get(n) : values[n]);
    const missing = this.layout.names.filter((n) => get(n) === undefined);
    if (missing.length) throw new ParallelError(`setWeights is missing ${missing.length} parameter(s): ${missing.slice(0, 8).join(', ')}`);
    this.layout.names.forEach((n, i) => {
      const v = get(n)!;
      const data = v instanceof Float32Array ? v : (v.dataSync() as Float32Array);
      if (data.length !== this.layout.sizes[i]) throw new ParallelError(`weights for '${n}' have ${data.length} elements; the parameter has ${this.layout.sizes[i]}`);
      this.weights.get(n)!.set(data);
    });
    this.weightsChanged();
  }

  /** Tells the workers that `weights` views were written directly. */
  weightsChanged(): void {
    this.version++;
  }

  private async phase(expect: Pending['expect'], post: (i: number) => void): Promise<WorkerToMain[]> {
    const n = this.workers.length;
    const done = new Promise<void>((resolve) => {
      this.pending = { expect, got: new Array(n).fill(undefined), left: n, resolve };
    });
    for (let i = 0; i < n; i++) post(i);
    await done;
    const p = this.pending!;
    this.pending = null;
    if (this.broken) throw this.broken;
    const errors = p.got.map((m, i) => ({ m, i })).filter(({ m }) => m!.type === 'error');
    if (errors.length) {
      const first = errors[0]!.m as Extract<WorkerToMain, { type: 'error' }>;
      throw new ParallelError(`step ${this.steps}: worker ${errors.map((e) => e.i).join(', ')} failed in ${first.phase}: ${first.message}\n${first.stack ?? ''}`);
    }
    return p.got as WorkerToMain[];
  }

  /**
   * One data-parallel step: worker i computes the gradients of `shards[i]` at the current weights,
   * then the workers reduce Σ weight·grad / Σ weight, each over its own segment of the parameters,
   * summing in worker order (deterministic). With `update`, each worker then runs the module's
   * applyUpdate on its segment and the weights version advances. The returned views are valid until
   * the next step.
   */
  async step(shards: readonly Shard[], options: StepOptions = {}): Promise<StepResult> {
    if (this.closed) throw new ParallelError('the pool is closed');
    if (this.broken) throw this.broken;
    if (this.running) throw new ParallelError('step() called while another step is running; await it first');
    if (shards.length !== this.size) throw new ParallelError(`step needs one shard per worker: ${this.size} shards, got ${shards.length} (see shardRanges)`);
    this.running = true;
    const t0 = performance.now();
    try {
      const step = ++this.steps;
      const version = this.version;
      const computed = await this.phase('computed', (i) =>
        this.workers[i]!.postMessage({ type: 'compute', step, version, shard: shards[i] } satisfies MainToWorker, options.transfer?.[i] ?? []),
      );
      const update = options.update ?? false;
      const reduced = await this.phase('reduced', (i) => this.workers[i]!.postMessage({ type: 'reduce', step, update } satisfies MainToWorker));
      if (update) this.version++;
      const c = computed as Extract<WorkerToMain, { type: 'computed' }>[];
      return {
        step,
        grads: viewsOf(this.layout, this.slot0),
        flat: this.slot0,
        metrics: c.map((m) => m.metrics),
        shardWeights: c.map((m) => m.weight),
        timings: {
          compute: c.map((m) => m.ms),
          reduce: Math.max(...(reduced as Extract<WorkerToMain, { type: 'reduced' }>[]).map((m) => m.ms)),
          total: performance.now() - t0,
        },
      };
    } finally {
      this.running = false;
    }
  }

  /** Stops the workers (each frees its tensors first). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const exits = this.workers.map((w) => new Promise<void>((res) => w.once('exit', () => res())));
    for (const w of this.workers) w.postMessage({ type: 'close' } satisfies MainToWorker);
    const timeout = new Promise<'timeout'>((res) => setTimeout(() => res('timeout'), 5000).unref());
    if ((await Promise.race([Promise.all(exits), timeout])) === 'timeout') await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
