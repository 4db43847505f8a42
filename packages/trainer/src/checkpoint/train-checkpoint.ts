import * as tf from '@tensorflow/tfjs-core';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { processAlive, SafetensorsReader, writeFileAtomic, writeSafetensors, toFloat32, type TensorToWrite } from '@tips/runtime';
import { CheckpointChecksumError, ResumeError } from '../errors';
import { readRunJson } from './read-json';

export const TRAIN_STATE_FORMAT = 'tips-ts.train-state/1';

/** The JSON half of a training checkpoint (the tensors sit in state.safetensors beside it). */
export interface TrainStateJson {
  format: string;
  /** Number of optimiser updates done. */
  step: number;
  totalSteps: number;
  optimizerT: number;
  /** Where the data stream continues. */
  position: Record<string, number> | null;
  /** The Trainable's own non-tensor state. */
  extra: unknown;
  /** Metrics at this step (for keep-best). */
  metrics: Record<string, number>;
  /** The run's configuration, to refuse resuming with another one. */
  config: unknown;
  savedAt: string;
}

export function stepDirName(step: number): string {
  return `step-${String(step).padStart(7, '0')}`;
}

/**
 * Writes one checkpoint directory atomically: everything goes into a temp directory which is then
 * renamed, so that a kill mid-write never leaves a half checkpoint under a real name; then the
 * `latest` pointer is replaced atomically.
 */
export async function writeTrainCheckpoint(
  dir: string,
  state: TrainStateJson,
  variables: Map<string, tf.Variable>,
  optimizerTensors: Map<string, tf.Variable>,
): Promise<string> {
  await mkdir(dir, { recursive: true });
  const name = stepDirName(state.step);
  const final = join(dir, name);
  const tmp = join(dir, `.${name}.tmp-${process.pid}`);
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp, { recursive: true });
  const tensors: TensorToWrite[] = [];
  const add = (prefix: string, map: Map<string, tf.Variable>) => {
    for (const [k, v] of map) tensors.push({ name: `${prefix}${k}`, dtype: 'float32', shape: [...v.shape], data: () => v.dataSync() as Float32Array });
  };
  add('var.', variables);
  add('opt.', optimizerTensors);
  await writeSafetensors(join(tmp, 'state.safetensors'), tensors);
  await writeFile(join(tmp, 'state.json'), JSON.stringify(state, null, 2));
  // `sha256sum -c checksums.sha256` format: checked on every resume and load (issue 18, item 9).
  const sums: string[] = [];
  for (const f of CHECKSUMMED_FILES) sums.push(`${await sha256File(join(tmp, f))}  ${f}`);
  await writeFile(join(tmp, CHECKSUMS_FILE), `${sums.join('\n')}\n`);
  await rm(final, { recursive: true, force: true });
  await rename(tmp, final);
  await writeFileAtomic(join(dir, 'latest'), `${name}\n`);
  return final;
}

/** The sidecar holding the SHA-256 of each checkpoint file. */
export const CHECKSUMS_FILE = 'checksums.sha256';
const CHECKSUMMED_FILES = ['state.safetensors', 'state.json'] as const;

/** SHA-256 (hex) of a file, streamed. */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * Checks the checkpoint's files against its `checksums.sha256` (CheckpointChecksumError naming
 * the file on a mismatch). Checkpoints written before checksums existed have no sidecar: false.
 */
export async function verifyCheckpointChecksums(path: string): Promise<boolean> {
  const sidecar = join(path, CHECKSUMS_FILE);
  if (!existsSync(sidecar)) return false;
  const lines = readFileSync(sidecar, 'utf8').split('\n').filter((l) => l.trim() !== '');
  const listed = new Map<string, string>();
  for (const line of lines) {
    const m = /^([0-9a-f]{64}) [ *](.+)$/.exec(line.trim());
    if (!m) throw new ResumeError(`${sidecar}: malformed line '${line.slice(0, 80)}'; the checkpoint's checksum file is corrupt`);
    listed.set(m[2]!, m[1]!);
  }
  for (const f of CHECKSUMMED_FILES) {
    const expected = listed.get(f);
    if (!expected) throw new ResumeError(`${sidecar} lists no checksum for ${f}; the checkpoint's checksum file is damaged`);
    const file = join(path, f);
    if (!existsSync(file)) throw new ResumeError(`${path} has no ${f}; the checkpoint is incomplete`);
    const actual = await sha256File(file);
    if (actual !== expected) throw new CheckpointChecksumError(file, expected, actual);
  }
  return true;
}

/** Step checkpoint directories of `dir`, newest first. */
export function stepCheckpoints(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((n) => /^step-\d+$/.test(n))
    .sort()
    .reverse();
}

/**
 * The checkpoint directory `latest` points at; when `latest` is missing, the newest step-*
 * directory (resume then verifies it and falls back further, see findResumeCheckpoint); null when
 * there is no checkpoint at all.
 */
export function latestCheckpoint(dir: string): string | null {
  const pointer = join(dir, 'latest');
  if (!existsSync(pointer)) {
    const newest = stepCheckpoints(dir)[0];
    return newest ? join(dir, newest) : null;
  }
  const name = readFileSync(pointer, 'utf8').trim();
  const path = join(dir, name);
  if (!existsSync(join(path, 'state.json'))) throw new ResumeError(`${pointer} names ${name}, which has no state.json; the checkpoint folder is damaged`);
  return path;
}

/** Checks that a checkpoint is complete and intact (checksums, else a full read); throws a ResumeError saying why not. */
export async function verifyTrainCheckpoint(path: string): Promise<void> {
  const ck = await readTrainCheckpoint(path);
  tf.dispose([...ck.variables.values(), ...ck.optimizer.values()]);
}

export interface ResumeCheckpoint {
  /** The intact checkpoint to resume from, or null when the folder holds no checkpoint at all. */
  path: string | null;
  /** The checkpoints passed over (newest first), each with why. */
  skipped: { path: string; reason: string }[];
}

/**
 * The checkpoint a resume continues from: the one `latest` names, else (no `latest`, or it is
 * damaged) the newest intact step-* directory, scanning newest first. Each candidate is verified
 * (state.json parses, SHA-256 checksums match, the tensors read). A fallback is reported through
 * `warn`, naming the damaged checkpoint and the one taken. Refuses (ResumeError) when checkpoints
 * exist and none is intact — never a silent restart from step 0.
 */
export async function findResumeCheckpoint(dir: string, warn: (line: string) => void = () => {}): Promise<ResumeCheckpoint> {
  const candidates: string[] = [];
  const pointer = join(dir, 'latest');
  const skipped: { path: string; reason: string }[] = [];
  if (existsSync(pointer)) {
    const name = readFileSync(pointer, 'utf8').trim();
    if (/^step-\d+$/.test(name)) candidates.push(join(dir, name));
    else skipped.push({ path: pointer, reason: `names '${name.slice(0, 60)}', not a step checkpoint` });
  }
  for (const n of stepCheckpoints(dir)) if (!candidates.includes(join(dir, n))) candidates.push(join(dir, n));
  if (candidates.length === 0) {
    if (skipped.length) throw new ResumeError(`${pointer} ${skipped[0]!.reason} and ${dir} has no step-* checkpoint; nothing to resume from: start a new run folder (or tips train --overwrite)`);
    return { path: null, skipped };
  }
  const latestNamed = existsSync(pointer);
  for (const path of candidates) {
    try {
      if (!existsSync(path)) throw new ResumeError(`${path} does not exist`);
      await verifyTrainCheckpoint(path);
    } catch (e) {
      if (!(e instanceof ResumeError) && !(e instanceof Error && 'code' in e && typeof (e as { code: unknown }).code === 'string')) throw e;
      skipped.push({ path, reason: e instanceof Error ? e.message : String(e) });
      continue;
    }
    if (skipped.length) {
      warn(
        `warning: ${skipped.map((s) => `${s.path} is not usable (${s.reason})`).join('; ')}; resuming from the previous intact checkpoint ${path} instead`,
      );
    } else if (!latestNamed) {
      warn(`warning: ${pointer} is missing; resuming from the newest intact checkpoint found by scanning, ${path}`);
    }
    return { path, skipped };
  }
  throw new ResumeError(
    `no intact checkpoint to resume from in ${dir}: ${skipped.map((s) => `${s.path}: ${s.reason}`).join('; ')}. Restore a checkpoint, or start again with tips train --overwrite (or a new --out folder)`,
  );
}

/**
 * Moves the damaged step-* checkpoints that a fallback passed over, and that are newer than the one
 * resumed from, to `checkpoints/damaged/` (kept for inspection, no longer taken by resume, counted
 * by keep-last-N or pruned). Called once the resume is accepted. Returns the new paths.
 */
export function setAsideDamagedCheckpoints(dir: string, found: ResumeCheckpoint, log: (line: string) => void = () => {}): string[] {
  if (!found.path) return [];
  const chosen = basename(found.path);
  const moved: string[] = [];
  for (const s of found.skipped) {
    const name = basename(s.path);
    if (!/^step-\d+$/.test(name) || name <= chosen || !existsSync(s.path)) continue;
    const aside = join(dir, 'damaged');
    mkdirSync(aside, { recursive: true });
    let target = join(aside, name);
    if (existsSync(target)) target = join(aside, `${name}-${Date.now()}`);
    renameSync(s.path, target);
    moved.push(target);
  }
  if (moved.length) {
    // `latest` named a checkpoint that is now aside: point it at the one resumed from.
    const tmp = join(dir, `.latest.tmp-${process.pid}`);
    writeFileSync(tmp, `${chosen}\n`);
    renameSync(tmp, join(dir, 'latest'));
  }
  if (moved.length) log(`moved the damaged checkpoint(s) ${moved.join(', ')} aside; they are no longer resumed from or pruned`);
  return moved;
}

const TEMP_DIR = /^\.step-\d+\.tmp-(\d+)$/;

/**
 * Removes `.step-….tmp-PID` folders left by a checkpoint write that was killed: those whose PID
 * is no longer alive (or is this process), or all of them with `all` (one process owns the run
 * folder). Returns the removed paths.
 */
export function removeStrayTempDirs(dir: string, options: { all?: boolean } = {}): string[] {
  if (!existsSync(dir)) return [];
  const removed: string[] = [];
  for (const n of readdirSync(dir)) {
    const m = TEMP_DIR.exec(n);
    if (!m) continue;
    const pid = Number(m[1]);
    if (!options.all && pid !== process.pid && processAlive(pid)) continue;
    rmSync(join(dir, n), { recursive: true, force: true });
    removed.push(join(dir, n));
  }
  return removed;
}

export interface LoadedTrainCheckpoint {
  state: TrainStateJson;
  variables: Map<string, tf.Tensor>;
  optimizer: Map<string, tf.Tensor>;
}

/** Reads a checkpoint directory. The caller disposes the returned tensors. */
export async function readTrainCheckpoint(path: string): Promise<LoadedTrainCheckpoint> {
  const statePath = join(path, 'state.json');
  if (!existsSync(statePath)) throw new ResumeError(`${path} has no state.json; not a training checkpoint`);
  await verifyCheckpointChecksums(path);
  const state = readRunJson(statePath, 'the checkpoint\'s training state') as TrainStateJson;
  if (state.format !== TRAIN_STATE_FORMAT) throw new ResumeError(`${path}: format ${state.format}, expected ${TRAIN_STATE_FORMAT}`);
  const reader = await SafetensorsReader.open(join(path, 'state.safetensors'));
  const variables = new Map<string, tf.Tensor>();
  const optimizer = new Map<string, tf.Tensor>();
  try {
    for (const key of reader.keys()) {
      const t = await reader.read(key);
      const tensor = tf.tensor(toFloat32(t), t.shape, 'float32');
      if (key.startsWith('var.')) variables.set(key.slice(4), tensor);
      else if (key.startsWith('opt.')) optimizer.set(key.slice(4), tensor);
      else tensor.dispose();
    }
  } finally {
    await reader.close();
  }
  return { state, variables, optimizer };
}

/** Deletes all but the newest `keep` step directories, never the one named by `protect`. */
export async function pruneCheckpoints(dir: string, keep: number, protect: string[] = []): Promise<void> {
  if (!existsSync(dir)) return;
  const steps = stepCheckpoints(dir).reverse();
  const drop = steps.slice(0, Math.max(0, steps.length - keep)).filter((n) => !protect.includes(n));
  for (const n of drop) await rm(join(dir, n), { recursive: true, force: true });
}
