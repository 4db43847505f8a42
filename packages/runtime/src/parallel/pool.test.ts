import * as tf from '@tensorflow/tfjs-core';
import { join } from 'node:path';
import { availableParallelism } from 'node:os';
import '../register-gradients';
import { initBackend } from '../backend';
import { Rng } from '../rng';
import { DataParallelPool } from './pool';
import { flatLayout, segmentOf, shardRanges, ParallelError } from './layout';
import { reduceSegment } from './reduce';

// Workers run dist/parallel-worker.cjs (build @tips/runtime first) with the gradient module below.
const MODULE = join(__dirname, 'test-modules', 'linear.cjs');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const linear = require('./test-modules/linear.cjs') as {
  shardGradients(s: Shard, W: tf.Tensor, b: tf.Tensor): { loss: number; gW: Float32Array; gb: Float32Array };
  checksum(a: Float32Array[]): { sum: number; hash: number };
};

const IN = 6;
const OUT = 3;
const PARAMS = [
  { name: 'W', shape: [IN, OUT] },
  { name: 'b', shape: [OUT] },
];

interface Shard {
  x: Float32Array;
  y: Float32Array;
  rows: number;
  fail?: boolean;
}

function makeBatch(rows: number, seed: number) {
  const r = new Rng(seed);
  return { x: r.fill(new Float32Array(rows * IN), (g) => g.normal()), y: r.fill(new Float32Array(rows * OUT), (g) => g.normal()), rows };
}

function shardsOf(batch: ReturnType<typeof makeBatch>, parts: number): Shard[] {
  return shardRanges(batch.rows, parts).map(([a, b]) => ({ x: batch.x.slice(a * IN, b * IN), y: batch.y.slice(a * OUT, b * OUT), rows: b - a }));
}

function initialWeights(seed = 7) {
  const r = new Rng(seed);
  return { W: r.fill(new Float32Array(IN * OUT), (g) => g.normal(0, 0.5)), b: r.fill(new Float32Array(OUT), (g) => g.normal()) };
}

/** The reduced gradient computed here, in the main thread: per-shard gradients, then Σ rows·g / Σ rows in float64, worker order. */
function referenceGradients(shards: Shard[], w: { W: Float32Array; b: Float32Array }): Float32Array {
  const W = tf.tensor2d(w.W, [IN, OUT]);
  const b = tf.tensor1d(w.b);
  const per = shards.map((s) => linear.shardGradients(s, W, b));
  tf.dispose([W, b]);
  const P = IN * OUT + OUT;
  const out = new Float32Array(P);
  const total = shards.reduce((a, s) => a + s.rows, 0);
  for (let k = 0; k < P; k++) {
    let acc = 0;
    shards.forEach((s, j) => {
      acc += s.rows * (k < IN * OUT ? per[j]!.gW[k]! : per[j]!.gb[k - IN * OUT]!);
    });
    out[k] = acc / total;
  }
  return out;
}

beforeAll(async () => {
  await initBackend({ backend: process.env.TIPS_BACKEND ?? 'wasm' });
});

describe('flat layout, shards and the reduction', () => {
  it('lays parameters out in order and splits batches and segments evenly', () => {
    const l = flatLayout(PARAMS);
    expect(l.offsets).toEqual([0, 18]);
    expect(l.total).toBe(21);
    expect(() => flatLayout([...PARAMS, { name: 'W', shape: [1] }])).toThrow(/listed twice/);
    expect(shardRanges(7, 3)).toEqual([
      [0, 3],
      [3, 5],
      [5, 7],
    ]);
    expect(shardRanges(1, 2)).toEqual([
      [0, 1],
      [1, 1],
    ]);
    const segs = [0, 1, 2].map((i) => segmentOf(21, i, 3));
    expect(segs).toEqual([
      [0, 7],
      [7, 14],
      [14, 21],
    ]);
  });

  it('reduces as the weighted mean, summing in slot order', () => {
    const slots = [new Float32Array([1, 2, 0.1]), new Float32Array([3, 4, 0.2]), new Float32Array([5, 6, 0.3])];
    reduceSegment(slots, new Float64Array([1, 1, 2]), 0, 3);
    const f = Math.fround;
    expect(Array.from(slots[0]!)).toEqual([f((1 + 3 + 2 * 5) / 4), f((2 + 4 + 2 * 6) / 4), f((f(0.1) + f(0.2) + 2 * f(0.3)) / 4)]);
    const zero = [new Float32Array([1]), new Float32Array([2])];
    reduceSegment(zero, new Float64Array([0, 0]), 0, 1);
    expect(zero[0]![0]).toBe(0);
  });
});

describe('DataParallelPool', () => {
  let pool: DataParallelPool<Shard>;
  beforeAll(async () => {
    pool = await DataParallelPool.create<Shard>({ module: MODULE, params: PARAMS, workers: 3, init: { lr: 0.1 } });
  }, 60000);
  afterAll(async () => {
    await pool?.close();
  });

  it('averages the workers gradients bit for bit like a single thread would, and reproducibly', async () => {
    expect(pool.size).toBe(3);
    const w = initialWeights();
    pool.setWeights(w);
    const shards = shardsOf(makeBatch(8, 1), 3); // rows 3, 3, 2: a weighted mean
    const want = referenceGradients(shards, w);
    const r1 = await pool.step(shards);
    expect(r1.shardWeights).toEqual([3, 3, 2]);
    expect(Array.from(r1.flat)).toEqual(Array.from(want));
    const first = Float32Array.from(r1.flat);
    const r2 = await pool.step(shards);
    expect(Array.from(r2.flat)).toEqual(Array.from(first));
    expect(Array.from(r2.grads.get('b')!)).toEqual(Array.from(want.subarray(18)));
    // Matches the gradient of the loss over the whole batch, up to float32 summation order.
    const whole = shardsOf(makeBatch(8, 1), 1);
    const full = referenceGradients(whole, w);
    for (let k = 0; k < full.length; k++) expect(Math.abs(r2.flat[k]! - full[k]!)).toBeLessThan(1e-5);
    // Worker context, setup once per worker, no tensors left behind.
    expect(r2.metrics.map((m) => m['index'])).toEqual([0, 1, 2]);
    expect(r2.metrics.every((m) => m['count'] === 3 && m['setupCalls'] === 1)).toBe(true);
    expect(r2.metrics.map((m) => m['tensors'])).toEqual(r1.metrics.map((m) => m['tensors']));
  });

  it('every worker computes at identical weights after each step (main-thread SGD)', async () => {
    const w = initialWeights(3);
    pool.setWeights(w);
    const batch = makeBatch(9, 4);
    const shards = shardsOf(batch, 3);
    const lr = 0.1;
    for (let step = 0; step < 3; step++) {
      const r = await pool.step(shards);
      const mine = linear.checksum([w.W, w.b]);
      expect(r.metrics.map((m) => m['whash'])).toEqual([mine.hash, mine.hash, mine.hash]);
      expect(new Set(r.metrics.map((m) => m['version'])).size).toBe(1);
      const g = r.grads;
      w.W = w.W.map((v, i) => v - lr * g.get('W')![i]!);
      w.b = w.b.map((v, i) => v - lr * g.get('b')![i]!);
      pool.setWeights(w);
    }
    // Same trajectory as single-thread training on the whole batch (float32 summation order aside).
    const ref = initialWeights(3);
    for (let step = 0; step < 3; step++) {
      const g = referenceGradients(shardsOf(batch, 1), ref);
      ref.W = ref.W.map((v, i) => v - lr * g[i]!);
      ref.b = ref.b.map((v, i) => v - lr * g[18 + i]!);
    }
    for (let i = 0; i < ref.W.length; i++) expect(Math.abs(pool.weights.get('W')![i]! - ref.W[i]!)).toBeLessThan(1e-5);
  });

  it('a sharded update in the workers gives the same weights as the same update in the main thread', async () => {
    const w = initialWeights(5);
    pool.setWeights(w);
    const shards = shardsOf(makeBatch(7, 6), 3);
    for (let step = 0; step < 2; step++) {
      const v0 = pool.weightsVersion;
      const g = referenceGradients(shards, w);
      const r = await pool.step(shards, { update: true });
      expect(Array.from(r.flat)).toEqual(Array.from(g));
      expect(pool.weightsVersion).toBe(v0 + 1);
      w.W = w.W.map((v, i) => v - 0.1 * g[i]!);
      w.b = w.b.map((v, i) => v - 0.1 * g[18 + i]!);
      expect(Array.from(pool.weights.get('W')!)).toEqual(Array.from(w.W));
      expect(Array.from(pool.weights.get('b')!)).toEqual(Array.from(w.b));
    }
  });

  it('reports a failing shard as a ParallelError naming the worker, and keeps working', async () => {
    pool.setWeights(initialWeights());
    const shards = shardsOf(makeBatch(6, 2), 3);
    shards[1] = { ...shards[1]!, fail: true };
    await expect(pool.step(shards)).rejects.toThrow(ParallelError);
    await expect(pool.step(shards)).rejects.toThrow(/worker 1 failed in compute: shard 1 failed on purpose/);
    await expect(pool.step(shards.slice(0, 2))).rejects.toThrow(/one shard per worker: 3 shards, got 2/);
    const ok = await pool.step(shardsOf(makeBatch(6, 2), 3));
    expect(ok.flat.length).toBe(21);
  });
});

describe('DataParallelPool setup', () => {
  it('sizes itself by os.availableParallelism() and works with one worker', async () => {
    const pool = await DataParallelPool.create<Shard>({ module: MODULE, params: PARAMS });
    try {
      expect(pool.size).toBe(availableParallelism());
    } finally {
      await pool.close();
    }
    const one = await DataParallelPool.create<Shard>({ module: MODULE, params: PARAMS, workers: 1 });
    try {
      const w = initialWeights();
      one.setWeights(w);
      const shards = shardsOf(makeBatch(5, 3), 1);
      const r = await one.step(shards);
      expect(Array.from(r.flat)).toEqual(Array.from(referenceGradients(shards, w)));
    } finally {
      await one.close();
    }
  }, 60000);

  it('fails clearly for a missing module, a relative path, missing weights and a failing setup', async () => {
    await expect(DataParallelPool.create({ module: '/nonexistent/step.mjs', params: PARAMS, workers: 1 })).rejects.toThrow(/does not exist/);
    await expect(DataParallelPool.create({ module: 'step.mjs', params: PARAMS, workers: 1 })).rejects.toThrow(/absolute path/);
    await expect(DataParallelPool.create({ module: MODULE, params: PARAMS, workers: 1, init: { failSetup: true } })).rejects.toThrow(/worker 0 failed during setup: setup refused on purpose/);
    const pool = await DataParallelPool.create<Shard>({ module: MODULE, params: PARAMS, workers: 1 });
    try {
      expect(() => pool.setWeights({ W: new Float32Array(18) })).toThrow(/missing 1 parameter\(s\): b/);
      expect(() => pool.setWeights({ W: new Float32Array(3), b: new Float32Array(3) })).toThrow(/'W' have 3 elements; the parameter has 18/);
    } finally {
      await pool.close();
    }
  }, 60000);
});
