import * as tf from '@tensorflow/tfjs-core';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend, Rng } from '@tips/runtime';
import { train } from './train-loop';
import type { DataSource, Trainable } from './types';
import { TrainingDivergedError, ResumeError } from '../errors';

beforeAll(async () => {
  await initBackend({ backend: process.env.TIPS_BACKEND ?? 'wasm' });
});

interface Batch {
  x: tf.Tensor2D;
  y: tf.Tensor2D;
}

const TRUE_W = [0.5, -1, 2];

/** Batches of a noiseless linear problem, a pure function of the position (exact resume). */
function regressionData(batchSize: number, seed = 7): DataSource<Batch> {
  return {
    imagesPerBatch: batchSize,
    async *batches(from) {
      let index = from?.index ?? 0;
      for (;;) {
        const r = Rng.derive(seed, 'batch', index);
        const x = new Float32Array(batchSize * 3).map(() => r.normal());
        const y = new Float32Array(batchSize).map((_, i) => TRUE_W.reduce((s, w, k) => s + w * x[i * 3 + k]!, 0));
        index += 1;
        yield { batch: { x: tf.tensor2d(x, [batchSize, 3]), y: tf.tensor2d(y, [batchSize, 1]) }, next: { index } };
      }
    },
    release: (b) => tf.dispose([b.x, b.y]),
  };
}

class Linear implements Trainable<Batch> {
  w = tf.variable(tf.zeros([3, 1]), true, `w${Math.random()}`);
  calls = 0;
  constructor(private readonly nanAtStep = -1) {}
  trainableVariables() {
    return new Map([['w', this.w]]);
  }
  stateVariables() {
    return this.trainableVariables();
  }
  loss(batch: Batch, ctx: { step: number }) {
    this.calls++;
    const err = tf.mean(tf.square(tf.sub(tf.matMul(batch.x, this.w), batch.y))) as tf.Scalar;
    const total = ctx.step === this.nanAtStep ? (tf.mul(err, NaN) as tf.Scalar) : err;
    return { total, terms: { mse: total } };
  }
  saveState() {
    return { calls: this.calls };
  }
  loadState(s: unknown) {
    this.calls = (s as { calls: number }).calls;
  }
}

const base = { lr: { peak: 0.05, warmup: 2 }, weightDecay: { start: 0 }, progress: false, seed: 1 };

describe('train()', () => {
  it('lowers the loss, logs JSONL metrics and frees every per-step tensor', async () => {
    const out = mkdtempSync(join(tmpdir(), 'loop-'));
    const model = new Linear();
    const records: { loss: number; numTensors: number }[] = [];
    await train({ ...base, lr: { peak: 0.3, warmup: 2 }, trainable: model, data: regressionData(16), steps: 40, outDir: out, onStep: (r) => records.push(r) });
    expect(records[39]!.loss).toBeLessThan(records[0]!.loss / 10);
    expect(new Set(records.slice(2).map((r) => r.numTensors)).size).toBe(1);
    const lines = readFileSync(join(out, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.filter((l) => l.event === undefined).length).toBe(40);
    expect(lines.filter((l) => l.event === 'checkpoint').length).toBe(1);
    expect(lines[0]).toHaveProperty('lr');
    expect(lines[0]).toHaveProperty('terms.mse');
    model.w.dispose();
  });

  it('ends every run with what the data skipped, on stderr and in metrics.jsonl (issue 18, item 12)', async () => {
    const out = mkdtempSync(join(tmpdir(), 'loop-skips-'));
    const model = new Linear();
    let seen = 0;
    const inner = regressionData(4);
    // a source that reports one missing image for every 4 it yields
    const data: DataSource<Batch> = {
      ...inner,
      async *batches(from) {
        for await (const b of inner.batches(from)) {
          seen += 5;
          yield b;
        }
      },
      skips: () => ({ seen, skipped: seen / 5, paths: Array.from({ length: Math.min(20, seen / 5) }, (_, i) => `gone${i}.png`) }),
    };
    const written: string[] = [];
    const spy = jest.spyOn(process.stderr, 'write').mockImplementation((c: string | Uint8Array) => (written.push(String(c)), true));
    let result;
    try {
      result = await train({ ...base, trainable: model, data, steps: 3, outDir: out });
    } finally {
      spy.mockRestore();
    }
    expect(result.skips).toEqual({ seen: 15, skipped: 3, paths: ['gone0.png', 'gone1.png', 'gone2.png'] });
    const lines = readFileSync(join(out, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.filter((l) => l.event === undefined).map((l) => l.skippedImages)).toEqual([1, 2, 3]);
    const end = lines.filter((l) => l.event === 'skips');
    expect(end).toHaveLength(1);
    expect(end[0]).toMatchObject({ seen: 15, skipped: 3, step: 3 });
    expect(written.join('')).toMatch(/skipped 3 of 15 images \(20\.0%\) that could not be read; first: gone0\.png, gone1\.png, gone2\.png/);
    model.w.dispose();
  });

  it('resumes exactly: killed after 3 steps and resumed gives bit-identical weights', async () => {
    const a = new Linear();
    const outA = mkdtempSync(join(tmpdir(), 'loopA-'));
    await train({ ...base, trainable: a, data: regressionData(8), steps: 7, outDir: outA, checkpointEvery: 1 });
    const straight = Array.from(a.w.dataSync());

    const outB = mkdtempSync(join(tmpdir(), 'loopB-'));
    const b1 = new Linear();
    await train({ ...base, trainable: b1, data: regressionData(8), steps: 7, outDir: outB, checkpointEvery: 1, stopAfter: 3, config: { x: 1 } });
    b1.w.dispose();
    const b2 = new Linear(); // a fresh process would start from scratch ...
    const res = await train({ ...base, trainable: b2, data: regressionData(8), steps: 7, outDir: outB, checkpointEvery: 1, resume: true, config: { x: 1 } });
    expect(res.resumedFrom).toMatch(/step-0000003$/);
    expect(b2.calls).toBe(7); // the Trainable's own state came back too
    expect(Array.from(b2.w.dataSync())).toEqual(straight);
    const b3 = new Linear();
    await expect(train({ ...base, trainable: b3, data: regressionData(8), steps: 7, outDir: outB, resume: true, config: { x: 2 } })).rejects.toThrow(ResumeError);
    tf.dispose([a.w, b2.w, b3.w]);
  });

  it('gradient accumulation over two halves equals one step on the whole batch', async () => {
    const whole = new Linear();
    await train({ ...base, trainable: whole, data: regressionData(8, 3), steps: 1, outDir: mkdtempSync(join(tmpdir(), 'acc-')) });
    // Two micro-batches of 4 whose union is the batch of 8 above.
    const halves: DataSource<Batch> = {
      async *batches() {
        const it = regressionData(8, 3).batches(null)[Symbol.asyncIterator]();
        const { batch } = (await it.next()).value!;
        let i = 0;
        for (;;) {
          const part = { x: tf.slice(batch.x, [i * 4, 0], [4, 3]) as tf.Tensor2D, y: tf.slice(batch.y, [i * 4, 0], [4, 1]) as tf.Tensor2D };
          i = (i + 1) % 2;
          yield { batch: part, next: { i } };
        }
      },
    };
    const acc = new Linear();
    await train({ ...base, trainable: acc, data: halves, steps: 1, accumulate: 2, outDir: mkdtempSync(join(tmpdir(), 'acc-')) });
    const d = Array.from(whole.w.dataSync()).map((v, k) => Math.abs(v - acc.w.dataSync()[k]!));
    expect(Math.max(...d)).toBeLessThan(1e-6);
    tf.dispose([whole.w, acc.w]);
  });

  it('stops on NaN naming the step and the term, before applying the bad update', async () => {
    const model = new Linear(2);
    const out = mkdtempSync(join(tmpdir(), 'nan-'));
    let before: number[] = [];
    const err = await train({ ...base, trainable: model, data: regressionData(8), steps: 5, outDir: out, onStep: () => (before = Array.from(model.w.dataSync())) }).catch((e) => e);
    expect(err).toBeInstanceOf(TrainingDivergedError);
    expect(err.step).toBe(2);
    expect(err.term).toBe('mse');
    expect(err.message).toMatch(/step 2: mse is NaN/);
    expect(Array.from(model.w.dataSync())).toEqual(before);
    model.w.dispose();
  });

  it('keeps the last N checkpoints and leaves no temporary files', async () => {
    const model = new Linear();
    const out = mkdtempSync(join(tmpdir(), 'keep-'));
    await train({ ...base, trainable: model, data: regressionData(4), steps: 5, outDir: out, checkpointEvery: 1, keepLast: 2, keepBest: { metric: 'loss', mode: 'min' } });
    expect(readdirSync(join(out, 'checkpoints')).sort()).toEqual(['latest', 'step-0000004', 'step-0000005']);
    expect(readFileSync(join(out, 'checkpoints', 'latest'), 'utf8').trim()).toBe('step-0000005');
    expect(existsSync(join(out, 'best', 'latest'))).toBe(true);
    model.w.dispose();
  });
});
