import { availableParallelism } from 'node:os';
import { resolveViewConfig, type TipsViewConfig } from '../augment/view-config';
import { checkMaskConfig, type PatchMaskConfig } from '../augment/patch-mask';
import { evalOutputSize, type EvalTransformConfig } from '../augment/eval-transform';
import { DataOptionError } from '../errors';
import { pickSyntheticCaption } from '../text/caption-choice';
import { DEFAULT_MAX_TOKENS, type Tokenizer } from '../text/tokenizer';
import type { DataPosition, EvalBatch, TipsBatch } from './batch';
import type { SampleResult, SampleTask } from './process-sample';
import { SkipTracker } from './skip-tracker';
import type { RawSample, SampleSource, ShardPart } from './source';
import { checkPart } from './sharding';
import type { TransformSpec } from './transform-spec';
import { defaultWorkerScript, inProcessRunner, workerPoolRunner, type SampleRunner } from './worker-pool';

/** Options shared by the training and evaluation loaders. */
export interface LoaderOptions {
  source: SampleSource;
  batchSize: number;
  /** Seed of the views, the caption choice and (through the source) the order. */
  seed?: number | string;
  /** This process's part of the data (default rank 0 of 1). */
  rank?: number;
  worldSize?: number;
  /** Start here (a saved `batch.position`; default epoch 0, index 0). */
  start?: DataPosition;
  /** Epochs to run from `start.epoch` (default: Infinity for training, 1 for evaluation). */
  epochs?: number;
  /** Drop an epoch's last incomplete batch (default: true for training, false for evaluation). */
  dropLast?: boolean;
  /** Worker threads decoding and augmenting (default: min(4, cores − 1), 0 = in this thread). */
  numWorkers?: number;
  /** The worker script (default: the package's dist/worker.cjs; without it the loader runs in this thread). */
  workerScript?: string | null;
  /** Batches prepared ahead of the consumer (default 2); bounds memory to about (prefetch + 1) batches. */
  prefetch?: number;
  /** Tokeniser for the captions (e.g. @tips/text-encoder's SentencePieceTokenizer); no tokens without it. */
  tokenizer?: Tokenizer;
  /** Token length (default 64). */
  maxTokens?: number;
  /**
   * How padding masks are filled (default 'per-row': 1 exactly after each text's own tokens). 'official'
   * copies the official TIPS tokenizer's quirk (all zeros for the whole batch once any text is truncated).
   */
  paddingRule?: 'official' | 'per-row';
  /**
   * Fail when more than this fraction of the images seen so far are undecodable or missing (default
   * 0.01), checked from the first batch once more than `skipAllowance` were skipped (see SkipTracker).
   */
  maxSkippedFraction?: number;
  /** Skipped images always tolerated before the fraction applies (default 2). */
  skipAllowance?: number;
  /** Told about each skipped image (default: a line on stderr). */
  onSkip?: (path: string, reason: string) => void;
}

export interface TipsLoaderOptions extends LoaderOptions {
  views?: Partial<TipsViewConfig>;
  /** Random patch masking of the global crop; off when absent. */
  mask?: PatchMaskConfig;
}

export interface EvalLoaderOptions extends LoaderOptions {
  transform: EvalTransformConfig;
}

interface Collator<B> {
  spec: TransformSpec;
  collate(items: { sample: RawSample; result: Extract<SampleResult, { ok: true }> }[], epoch: number, position: DataPosition): B;
}

/**
 * Decoding threads for `numWorkers` (default min(4, cores − 1)). More threads than the machine has
 * cores only add memory and contention (1000 asked for once gave 636 threads, 3.5 GB and no step in
 * 120 s), so a larger request is capped at the core count with a warning on stderr.
 */
export function workerCount(numWorkers: number | undefined, cores = availableParallelism()): number {
  if (numWorkers === undefined) return Math.max(0, Math.min(4, cores - 1));
  if (!Number.isInteger(numWorkers) || numWorkers < 0) {
    throw new DataOptionError(`numWorkers (tips train: data.workers) must be an integer ≥ 0, got ${numWorkers}`);
  }
  if (numWorkers > cores) {
    process.stderr.write(`@tips/data: numWorkers ${numWorkers} is more than this machine's ${cores} cores; using ${cores} decoding threads (set data.workers ≤ ${cores})\n`);
    return cores;
  }
  return numWorkers;
}

/**
 * An async-iterable loader: `for await (const batch of loader)`. Decoding and augmentation run in
 * worker threads ahead of the consumer (bounded queue of `prefetch` batches). Leaving the loop
 * (break, throw, end) terminates the workers. Each iteration continues from `position`.
 */
export class DataLoader<B extends { position: DataPosition }> implements AsyncIterable<B> {
  private pos: DataPosition;
  private readonly part: ShardPart;
  readonly skips: SkipTracker;
  private readonly decodeThreads: number;
  private active: SampleRunner | null = null;

  constructor(
    private readonly opts: LoaderOptions & { epochs: number; dropLast: boolean },
    private readonly collator: Collator<B>,
  ) {
    if (!Number.isInteger(opts.batchSize) || opts.batchSize < 1) throw new DataOptionError(`batchSize must be a positive integer, got ${opts.batchSize}`);
    this.part = { rank: opts.rank ?? 0, worldSize: opts.worldSize ?? 1 };
    checkPart(this.part);
    this.pos = { ...(opts.start ?? { epoch: 0, index: 0 }) };
    if (!(Number.isInteger(this.pos.epoch) && this.pos.epoch >= 0 && Number.isInteger(this.pos.index) && this.pos.index >= 0)) {
      throw new DataOptionError(`start must be { epoch, index } with non-negative integers, got ${JSON.stringify(opts.start)}`);
    }
    this.decodeThreads = workerCount(opts.numWorkers);
    this.skips = new SkipTracker(
      opts.maxSkippedFraction ?? 0.01,
      opts.skipAllowance ?? 2,
      opts.onSkip ?? ((path, reason) => process.stderr.write(`@tips/data: skipped ${path}: ${reason}\n`)),
    );
  }

  /** The position after the last batch handed out (what to checkpoint). */
  get position(): DataPosition {
    return { ...this.pos };
  }

  /** Samples per epoch for this rank, when the source knows it. */
  get samplesPerEpoch(): number | undefined {
    return this.opts.source.size(this.part);
  }

  /** Threads used by the current iteration (0 = in-process). */
  get workerThreads(): number {
    return this.active?.threads ?? 0;
  }

  private makeRunner(): SampleRunner {
    const n = this.decodeThreads;
    const script = this.opts.workerScript === undefined ? defaultWorkerScript() : this.opts.workerScript;
    return n > 0 && script ? workerPoolRunner(script, n) : inProcessRunner();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<B> {
    const { source, batchSize, dropLast } = this.opts;
    const seed = this.opts.seed ?? 0;
    const capacity = Math.max(1, this.opts.prefetch ?? 2) * batchSize + batchSize;
    const runner = this.makeRunner();
    this.active = runner;
    let it: AsyncIterator<RawSample> | null = null;
    try {
      const lastEpoch = this.pos.epoch + this.opts.epochs;
      while (this.pos.epoch < lastEpoch) {
        const epoch = this.pos.epoch;
        let index = this.pos.index;
        it = source.epoch(epoch, this.part, index)[Symbol.asyncIterator]();
        const queue: { sample: RawSample; result: Promise<SampleResult> }[] = [];
        let exhausted = false;
        let items: { sample: RawSample; result: Extract<SampleResult, { ok: true }> }[] = [];
        for (;;) {
          while (!exhausted && queue.length < capacity) {
            const n = await it.next();
            if (n.done) {
              exhausted = true;
              break;
            }
            const task: SampleTask = { id: n.value.id, image: n.value.image, seed, epoch, transform: this.collator.spec };
            const result = runner.run(task);
            result.catch(() => undefined); // awaited below; avoid unhandled rejections after an early exit
            queue.push({ sample: n.value, result });
          }
          const head = queue.shift();
          if (!head) break;
          const r = await head.result;
          index++;
          if (r.ok) {
            this.skips.ok();
            items.push({ sample: head.sample, result: r });
          } else {
            this.skips.skip(r.path, r.reason);
          }
          if (items.length === batchSize) {
            const batch = this.collator.collate(items, epoch, { epoch, index });
            items = [];
            this.pos = { epoch, index };
            yield batch;
          }
        }
        this.skips.finish();
        if (items.length > 0 && !dropLast) {
          const batch = this.collator.collate(items, epoch, { epoch, index });
          this.pos = { epoch, index };
          yield batch;
        }
        this.pos = { epoch: epoch + 1, index: 0 };
        it = null;
      }
    } finally {
      this.active = null;
      await it?.return?.();
      await runner.close();
    }
  }
}

function tokenizeMaybe(opts: LoaderOptions, texts: string[]) {
  return opts.tokenizer ? opts.tokenizer.tokenize(texts, opts.maxTokens ?? DEFAULT_MAX_TOKENS, { paddingRule: opts.paddingRule ?? 'per-row' }) : undefined;
}

/**
 * The training loader: TIPS views (1 global + M local crops, optional patch mask) and both captions,
 * tokenised when a tokenizer is given. Defaults: infinite epochs, dropLast true.
 */
export function createTipsLoader(opts: TipsLoaderOptions): DataLoader<TipsBatch> {
  const views = resolveViewConfig(opts.views);
  if (opts.mask) checkMaskConfig(opts.mask);
  const seed = opts.seed ?? 0;
  const G = views.globalSize;
  const L = views.localSize;
  const M = views.localCount;
  const gLen = G * G * 3;
  const lLen = L * L * 3;
  const nPatches = (G / views.patchSize) ** 2;
  const imgShape = (s: number) => (views.layout === 'hwc' ? [s, s, 3] : [3, s, s]);
  return new DataLoader<TipsBatch>(
    { ...opts, epochs: opts.epochs ?? Infinity, dropLast: opts.dropLast ?? true },
    {
      spec: { kind: 'tips', views, mask: opts.mask },
      collate(items, epoch, position) {
        const B = items.length;
        const global = new Float32Array(B * gLen);
        const locals = new Float32Array(M * B * lLen);
        const mask = opts.mask ? new Uint8Array(B * nPatches) : undefined;
        const labels = new Int32Array(B);
        const web: string[] = [];
        const syn: string[] = [];
        items.forEach(({ sample, result }, b) => {
          global.set(result.global, b * gLen);
          for (let m = 0; m < M; m++) locals.set(result.locals.subarray(m * lLen, (m + 1) * lLen), (m * B + b) * lLen);
          if (mask && result.mask) mask.set(result.mask, b * nPatches);
          labels[b] = sample.label;
          web.push(sample.webCaption);
          syn.push(pickSyntheticCaption(sample.syntheticCaptions, seed, epoch, sample.id));
        });
        return {
          size: B,
          epoch,
          position,
          ids: items.map((i) => i.sample.id),
          labels,
          global: { data: global, shape: [B, ...imgShape(G)] },
          locals: { data: locals, shape: [M, B, ...imgShape(L)] },
          mask: mask ? { data: mask, shape: [B, nPatches] } : undefined,
          webCaptions: web,
          syntheticCaptions: syn,
          webTokens: tokenizeMaybe(opts, web),
          syntheticTokens: tokenizeMaybe(opts, syn),
        };
      },
    },
  );
}

/**
 * The evaluation loader: each image through the eval transform (resize, optional centre crop), in the
 * source's order (make the source with shuffle: false). Defaults: one epoch, keep the last batch.
 * All images of a batch must come out the same size (use a centre crop or a [w, h] resize).
 */
export function createEvalLoader(opts: EvalLoaderOptions): DataLoader<EvalBatch> {
  const t = { layout: 'hwc' as const, ...opts.transform };
  evalOutputSize(t, 1000, 1000); // validates sizes that do not depend on the image
  return new DataLoader<EvalBatch>(
    { ...opts, epochs: opts.epochs ?? 1, dropLast: opts.dropLast ?? false },
    {
      spec: { kind: 'eval', eval: t },
      collate(items, _epoch, position) {
        const B = items.length;
        const { width: W, height: H } = items[0]!.result;
        const per = W * H * 3;
        const data = new Float32Array(B * per);
        items.forEach(({ sample, result }, b) => {
          if (result.width !== W || result.height !== H) {
            throw new DataOptionError(
              `eval batch mixes image sizes ${W}×${H} and ${result.width}×${result.height} (sample ${sample.id}); use a centerCrop or a [w, h] resize, or batchSize 1`,
            );
          }
          data.set(result.global, b * per);
        });
        const web = items.map((i) => i.sample.webCaption);
        return {
          size: B,
          position,
          ids: items.map((i) => i.sample.id),
          labels: Int32Array.from(items.map((i) => i.sample.label)),
          images: { data, shape: t.layout === 'hwc' ? [B, H, W, 3] : [B, 3, H, W] },
          webCaptions: web,
          webTokens: tokenizeMaybe(opts, web),
        };
      },
    },
  );
}
