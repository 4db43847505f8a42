import * as tf from '@tensorflow/tfjs-core';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SafetensorsReader, writeFileAtomic, writeSafetensors, toFloat32, type TensorToWrite } from '@tips/runtime';
import { ResumeError } from '../errors';
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
  await rm(final, { recursive: true, force: true });
  await rename(tmp, final);
  await writeFileAtomic(join(dir, 'latest'), `${name}\n`);
  return final;
}

/** The checkpoint directory `latest` points at, or null when there is none. */
export function latestCheckpoint(dir: string): string | null {
  const pointer = join(dir, 'latest');
  if (!existsSync(pointer)) return null;
  const name = readFileSync(pointer, 'utf8').trim();
  const path = join(dir, name);
  if (!existsSync(join(path, 'state.json'))) throw new ResumeError(`${pointer} names ${name}, which has no state.json; the checkpoint folder is damaged`);
  return path;
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
  const steps = readdirSync(dir)
    .filter((n) => /^step-\d+$/.test(n))
    .sort();
  const drop = steps.slice(0, Math.max(0, steps.length - keep)).filter((n) => !protect.includes(n));
  for (const n of drop) await rm(join(dir, n), { recursive: true, force: true });
}
