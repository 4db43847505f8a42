// The gradient module of the TIPS data-parallel workers (built to dist/tips-worker.cjs and loaded by
// @tips/runtime's DataParallelPool in each worker thread). Each worker rebuilds the TipsModel from
// the run's config once, then per step: points its variables (student, teacher, centres) at the
// weights the main thread published in shared memory, runs TipsObjective.prepare (the teacher's
// forward pass and targets for its rows) and the objective's loss under a gradient tape on its
// shard, and returns the student's gradients, the loss terms, and the teacher centres' statistics
// (as pseudo-gradients, see centre-stats.ts). It keeps no state between steps: the main thread owns
// the optimiser, the EMA teacher, the centres and the checkpoints.
import * as tf from '@tensorflow/tfjs-core';
import { ParallelError, Rng, type GradientResult, type WeightSet, type WorkerContext } from '@tips/runtime';
import type { StepContext } from '../loop/types';
import { TipsModel } from '../tips/model';
import { TipsObjective } from '../tips/objective';
import { centreStatsOf } from './centre-stats';
import { HASH_METRIC, LOSS_METRIC, TERM_PREFIX, type TipsShard, type TipsWorkerInit } from './protocol';
import { hashVariables } from './weights-hash';

let model: TipsModel | null = null;
let objective: TipsObjective | null = null;
let state = new Map<string, tf.Variable>();
let trainable: tf.Variable[] = [];
const nameOf = new Map<string, string>();

export async function setup(ctx: WorkerContext<TipsWorkerInit>): Promise<void> {
  model = await TipsModel.create(ctx.init.config, ctx.init.vocabSize);
  objective = new TipsObjective(model);
  state = model.stateVariables();
  const train = model.trainableVariables();
  trainable = [...train.values()];
  for (const [name, v] of train) nameOf.set(v.name, name);
  const { names, shapes } = ctx.layout;
  for (const [name, v] of state) {
    const i = names.indexOf(name);
    if (i < 0 || JSON.stringify(shapes[i]) !== JSON.stringify(v.shape)) {
      throw new ParallelError(`worker ${ctx.index}: the model built from the config has '${name}' ${JSON.stringify(v.shape)}, which the main thread's layout ${i < 0 ? 'lacks' : `has as ${JSON.stringify(shapes[i])}`}; main and workers must build the model from the same config`);
    }
  }
}

export function computeGradients(shard: TipsShard, weights: WeightSet, ctx: WorkerContext<TipsWorkerInit>): GradientResult {
  if (!model || !objective) throw new ParallelError(`worker ${ctx.index} has no model: setup did not run`);
  const o = objective;
  weights.assign(state);
  const metrics: Record<string, number> = {};
  if (ctx.init.checkWeights) metrics[HASH_METRIC] = hashVariables(state);
  const base = Rng.fromState(shard.rng);
  const step: StepContext = {
    step: shard.step,
    totalSteps: shard.totalSteps,
    micro: shard.micro,
    lr: shard.lr,
    weightDecay: shard.weightDecay,
    rng: Rng.derive(base.nextU32(), 'worker', ctx.index),
  };
  const rows = shard.batch.size;
  o.prepare(shard.batch, step);
  let kept: Record<string, tf.Scalar> = {};
  let value: tf.Scalar | null = null;
  try {
    const r = tf.variableGrads(() => {
      const l = o.loss(shard.batch, step);
      kept = Object.fromEntries(Object.entries(l.terms).map(([k, t]) => [k, tf.keep(t)]));
      return l.total;
    }, trainable);
    value = r.value;
    metrics[LOSS_METRIC] = value.dataSync()[0]!;
    for (const [k, t] of Object.entries(kept)) metrics[TERM_PREFIX + k] = t.dataSync()[0]!;
    const grads: Record<string, tf.Tensor | Float32Array> = centreStatsOf(o, rows);
    for (const [tfName, g] of Object.entries(r.grads)) {
      const name = nameOf.get(tfName);
      if (name) grads[name] = g;
      else g.dispose();
    }
    return { grads, weight: rows, metrics };
  } finally {
    tf.dispose([...new Set<tf.Tensor>([...(value ? [value] : []), ...Object.values(kept)])]);
    o.release();
  }
}
