// Run-folder lifecycle (issue 18): missing `latest`, damaged checkpoints and fallback, checksums,
// stray temp folders, refusing an existing run, and validating a resume before writing anything.
import * as tf from '@tensorflow/tfjs-core';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, truncateSync, writeFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend, Rng } from '@tips/runtime';
import { train } from '../loop/train-loop';
import type { DataSource, Trainable } from '../loop/types';
import { CheckpointChecksumError, ResumeError, RunFolderExistsError } from '../errors';
import { CHECKSUMS_FILE, findResumeCheckpoint, readTrainCheckpoint, removeStrayTempDirs, sha256File, verifyCheckpointChecksums } from './train-checkpoint';
import { prepareRunFolder, sameRunConfig } from '../tips/run-folder';

beforeAll(async () => {
  await initBackend({ backend: process.env.TIPS_BACKEND ?? 'wasm' });
});

interface Batch {
  x: tf.Tensor2D;
  y: tf.Tensor2D;
}

function regressionData(batchSize: number, seed = 7): DataSource<Batch> {
  return {
    imagesPerBatch: batchSize,
    async *batches(from) {
      let index = from?.index ?? 0;
      for (;;) {
        const r = Rng.derive(seed, 'batch', index);
        const x = new Float32Array(batchSize * 3).map(() => r.normal());
        const y = new Float32Array(batchSize).map((_, i) => [0.5, -1, 2].reduce((s, w, k) => s + w * x[i * 3 + k]!, 0));
        index += 1;
        yield { batch: { x: tf.tensor2d(x, [batchSize, 3]), y: tf.tensor2d(y, [batchSize, 1]) }, next: { index } };
      }
    },
    release: (b) => tf.dispose([b.x, b.y]),
  };
}

class Linear implements Trainable<Batch> {
  w = tf.variable(tf.zeros([3, 1]), true, `w${Math.random()}`);
  trainableVariables() {
    return new Map([['w', this.w]]);
  }
  stateVariables() {
    return this.trainableVariables();
  }
  loss(batch: Batch) {
    const err = tf.mean(tf.square(tf.sub(tf.matMul(batch.x, this.w), batch.y))) as tf.Scalar;
    return { total: err, terms: { mse: err } };
  }
}

const base = { lr: { peak: 0.05, warmup: 2 }, weightDecay: { start: 0 }, progress: false, seed: 1, config: { x: 1 } };
const STEPS = 6;

/** Weights of an uninterrupted run. */
let straight: number[];
beforeAll(async () => {
  const m = new Linear();
  await train({ ...base, trainable: m, data: regressionData(8), steps: STEPS, outDir: mkdtempSync(join(tmpdir(), 'rf-straight-')), checkpointEvery: 1 });
  straight = Array.from(m.w.dataSync());
  m.w.dispose();
});

/** A run folder killed after 3 steps with checkpoints step-1..3 (keepLast 5). */
async function stoppedRun(): Promise<string> {
  const out = mkdtempSync(join(tmpdir(), 'rf-'));
  const m = new Linear();
  await train({ ...base, trainable: m, data: regressionData(8), steps: STEPS, outDir: out, checkpointEvery: 1, keepLast: 5, stopAfter: 3 });
  m.w.dispose();
  return out;
}

async function resume(out: string): Promise<{ resumedFrom: string | null; w: number[]; warnings: string[] }> {
  const m = new Linear();
  const warnings: string[] = [];
  try {
    const r = await train({ ...base, trainable: m, data: regressionData(8), steps: STEPS, outDir: out, checkpointEvery: 1, keepLast: 5, resume: true, warn: (l) => warnings.push(l) });
    return { resumedFrom: r.resumedFrom, w: Array.from(m.w.dataSync()), warnings };
  } finally {
    m.w.dispose();
  }
}

const ck = (out: string, step: number) => join(out, 'checkpoints', `step-${String(step).padStart(7, '0')}`);

describe('run folder lifecycle (issue 18)', () => {
  it('item 9: every checkpoint carries SHA-256 checksums of its files, in sha256sum format', async () => {
    const out = await stoppedRun();
    const sums = readFileSync(join(ck(out, 3), CHECKSUMS_FILE), 'utf8').trim().split('\n');
    expect(sums).toEqual([`${await sha256File(join(ck(out, 3), 'state.safetensors'))}  state.safetensors`, `${await sha256File(join(ck(out, 3), 'state.json'))}  state.json`]);
    await expect(verifyCheckpointChecksums(ck(out, 3))).resolves.toBe(true);
  });

  it('item 9: two flipped bits in state.safetensors are refused on load (CheckpointChecksumError) and resume falls back, saying so', async () => {
    const out = await stoppedRun();
    const file = join(ck(out, 3), 'state.safetensors');
    const bytes = readFileSync(file);
    const at = bytes.length - 4; // inside the tensor data, not the header
    bytes[at] ^= 0x01;
    bytes[at - 9] ^= 0x40;
    writeFileSync(file, bytes);
    await expect(readTrainCheckpoint(ck(out, 3))).rejects.toThrow(CheckpointChecksumError);
    await expect(verifyCheckpointChecksums(ck(out, 3))).rejects.toThrow(new RegExp(`${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: SHA-256 is`));
    const r = await resume(out);
    expect(r.resumedFrom).toBe(ck(out, 2));
    expect(r.warnings.join('\n')).toMatch(/step-0000003 is not usable \(.*SHA-256.*\); resuming from the previous intact checkpoint .*step-0000002 instead/);
    expect(r.w).toEqual(straight);
    // The damaged checkpoint is kept aside, out of resume's and keep-last-N's way.
    expect(r.warnings.join('\n')).toContain(`moved the damaged checkpoint(s) ${join(out, 'checkpoints', 'damaged', 'step-0000003')} aside`);
    expect(readFileSync(join(out, 'checkpoints', 'damaged', 'step-0000003', 'state.safetensors')).equals(bytes)).toBe(true);
  });

  it('checkpoints written before checksums (no checksums.sha256) still resume; a truncated one is caught by reading it', async () => {
    const out = await stoppedRun();
    for (const s of [1, 2, 3]) rmSync(join(ck(out, s), CHECKSUMS_FILE));
    await expect(verifyCheckpointChecksums(ck(out, 3))).resolves.toBe(false);
    const file = join(ck(out, 3), 'state.safetensors');
    truncateSync(file, statSync(file).size - 8);
    const r = await resume(out);
    expect(r.resumedFrom).toBe(ck(out, 2));
    expect(r.warnings.join('\n')).toMatch(/step-0000003 is not usable \(.*truncated.*\); resuming from the previous intact checkpoint/);
    expect(r.w).toEqual(straight);
  });

  it('item 2: a missing checkpoints/latest resumes from the newest complete step-* (bit-exact), not from step 0', async () => {
    const out = await stoppedRun();
    rmSync(join(out, 'checkpoints', 'latest'));
    rmSync(join(ck(out, 3), 'state.json')); // step-3 incomplete: killed before its metadata
    const r = await resume(out);
    expect(r.resumedFrom).toBe(ck(out, 2));
    expect(r.warnings.join('\n')).toMatch(/step-0000003 is not usable.*resuming from the previous intact checkpoint .*step-0000002/);
    expect(r.w).toEqual(straight);
    const out2 = await stoppedRun();
    rmSync(join(out2, 'checkpoints', 'latest'));
    const r2 = await resume(out2);
    expect(r2.resumedFrom).toBe(ck(out2, 3));
    expect(r2.warnings.join('\n')).toMatch(/latest is missing; resuming from the newest intact checkpoint found by scanning, .*step-0000003/);
    expect(r2.w).toEqual(straight);
  });

  it('items 2 and 5: refuses clearly when checkpoints exist and none is intact (no silent restart, nothing pruned)', async () => {
    const out = await stoppedRun();
    rmSync(join(out, 'checkpoints', 'latest'));
    for (const s of [1, 2, 3]) truncateSync(join(ck(out, s), 'state.safetensors'), 100);
    const m = new Linear();
    await expect(train({ ...base, trainable: m, data: regressionData(8), steps: STEPS, outDir: out, resume: true, warn: () => {} })).rejects.toThrow(ResumeError);
    await expect(findResumeCheckpoint(join(out, 'checkpoints'))).rejects.toThrow(/no intact checkpoint to resume from/);
    m.w.dispose();
    expect(readdirSync(join(out, 'checkpoints')).sort()).toEqual(['step-0000001', 'step-0000002', 'step-0000003']);
  });

  it('item 5: a truncated latest state.safetensors falls back to the previous intact checkpoint and names both', async () => {
    const out = await stoppedRun();
    const file = join(ck(out, 3), 'state.safetensors');
    truncateSync(file, Math.floor(statSync(file).size / 2));
    const r = await resume(out);
    expect(r.resumedFrom).toBe(ck(out, 2));
    expect(r.warnings.join('\n')).toMatch(/warning: .*step-0000003 is not usable .*resuming from the previous intact checkpoint .*step-0000002 instead/);
    expect(r.w).toEqual(straight);
  });

  it('item 6: stray .step-….tmp-PID folders of dead processes are removed at resume; a live writer\'s is kept', async () => {
    const out = await stoppedRun();
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
    const stray = join(out, 'checkpoints', `.step-0000004.tmp-${dead}`);
    const live = join(out, 'checkpoints', `.step-0000004.tmp-${process.ppid}`);
    for (const d of [stray, live]) {
      mkdirSync(d);
      writeFileSync(join(d, 'state.safetensors'), 'half');
    }
    const r = await resume(out);
    expect(existsSync(stray)).toBe(false);
    expect(existsSync(live)).toBe(true);
    expect(r.warnings.join('\n')).toContain(`removed ${stray}`);
    expect(r.w).toEqual(straight);
    expect(removeStrayTempDirs(join(out, 'checkpoints'), { all: true })).toEqual([live]);
  });

  it('every phase of a checkpoint write cut off by a kill resumes bit-exact: temp written, renamed, latest updated', async () => {
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
    const killedAt4 = async (phase: 'temp' | 'renamed' | 'latest') => {
      const out = mkdtempSync(join(tmpdir(), `rf-kill-${phase}-`));
      const m = new Linear();
      await train({ ...base, trainable: m, data: regressionData(8), steps: STEPS, outDir: out, checkpointEvery: 1, keepLast: 5, stopAfter: 4 });
      m.w.dispose();
      const ckDir = join(out, 'checkpoints');
      if (phase !== 'latest') writeFileSync(join(ckDir, 'latest'), 'step-0000003\n');
      if (phase === 'temp') {
        const tmp = join(ckDir, `.step-0000004.tmp-${dead}`);
        renameSync(ck(out, 4), tmp);
        truncateSync(join(tmp, 'state.safetensors'), 40);
      }
      return out;
    };
    for (const [phase, from] of [['temp', 3], ['renamed', 3], ['latest', 4]] as const) {
      const out = await killedAt4(phase);
      const r = await resume(out);
      expect({ phase, from: r.resumedFrom }).toEqual({ phase, from: ck(out, from) });
      expect({ phase, same: JSON.stringify(r.w) === JSON.stringify(straight) }).toEqual({ phase, same: true });
      expect(readdirSync(join(out, 'checkpoints')).filter((n) => n.startsWith('.'))).toEqual([]);
    }
  });

  it('item 4: an existing run folder is refused without --resume/--overwrite; --overwrite clears the old run first', async () => {
    const out = await stoppedRun();
    writeFileSync(join(out, 'config.json'), JSON.stringify({ run: { out } }));
    const before = readdirSync(join(out, 'checkpoints')).sort();
    await expect(prepareRunFolder(out, { run: { out } })).rejects.toThrow(RunFolderExistsError);
    await expect(prepareRunFolder(out, { run: { out } })).rejects.toThrow(/pass --resume to continue it, --overwrite to delete/);
    expect(readdirSync(join(out, 'checkpoints')).sort()).toEqual(before);
    mkdirSync(join(out, 'final'));
    writeFileSync(join(out, 'notes.txt'), 'mine');
    const logs: string[] = [];
    await expect(prepareRunFolder(out, { run: { out }, v: 2 }, { overwrite: true, log: (l) => logs.push(l) })).resolves.toBeNull();
    expect(readdirSync(out).sort()).toEqual(['config.json', 'notes.txt']);
    expect(JSON.parse(readFileSync(join(out, 'config.json'), 'utf8'))).toEqual({ run: { out }, v: 2 });
    expect(logs.join('\n')).toMatch(/--overwrite: deleted the old run's config.json, checkpoints, final, metrics.jsonl/);
  });

  it('item 3: a resume with another config is refused before config.json is rewritten; run.out alone may differ', async () => {
    const out = mkdtempSync(join(tmpdir(), 'rf-cfg-'));
    const config = { run: { out, seed: 1 }, optim: { lr: 1 } };
    const m = new Linear();
    await prepareRunFolder(out, config);
    await train({ ...base, config, trainable: m, data: regressionData(8), steps: 2, outDir: out, checkpointEvery: 1, stopAfter: 1 });
    m.w.dispose();
    const saved = readFileSync(join(out, 'config.json'), 'utf8');
    await expect(prepareRunFolder(out, { ...config, optim: { lr: 2 } }, { resume: true })).rejects.toThrow(/another configuration.*Nothing in .* was changed/);
    expect(readFileSync(join(out, 'config.json'), 'utf8')).toBe(saved);
    expect(sameRunConfig(config, { ...config, run: { out: '/elsewhere', seed: 1 } })).toBe(true);
    await expect(prepareRunFolder(out, { ...config, run: { out: '/moved', seed: 1 } }, { resume: true })).resolves.toBe(ck(out, 1));
  });
});
