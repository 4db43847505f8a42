import * as tf from '@tensorflow/tfjs-core';
import { ParallelError } from '@tips/runtime';
import type { TipsModel } from '../tips/model';
import type { TipsObjective } from '../tips/objective';

/**
 * The teacher centres' batch statistics travel from the workers to the main thread as extra entries
 * of the pool's flat gradient buffer ("pseudo-gradients"), so that the pool's deterministic weighted
 * reduction Σ wᵢ·gᵢ / Σ wᵢ (wᵢ = the shard's rows) combines them:
 *   DINO: gᵢ = mean of the shard's teacher CLS logits            → reduced: the whole batch's mean;
 *   iBOT: gᵢ = (Σ masked teacher patch logits) / wᵢ, and (masked count) / wᵢ
 *         → reduced: Σ sums / W and Σ counts / W, whose ratio is the whole batch's masked mean.
 * The main thread then applies TeacherCentre.update to that mean, the same update the single-thread
 * objective makes from the whole batch (up to float rounding).
 */
export const STAT_DINO_MEAN = 'stats.dino_centre.mean';
export const STAT_IBOT_SUM = 'stats.ibot_centre.sum';
export const STAT_IBOT_COUNT = 'stats.ibot_centre.count';

/** Layout entries of the statistics a model's centres need. */
export function centreStatShapes(model: TipsModel): { name: string; shape: number[] }[] {
  const out: { name: string; shape: number[] }[] = [];
  if (model.dinoCentre) out.push({ name: STAT_DINO_MEAN, shape: [model.dinoCentre.dim] });
  if (model.ibotCentre) out.push({ name: STAT_IBOT_SUM, shape: [model.ibotCentre.dim] }, { name: STAT_IBOT_COUNT, shape: [1] });
  return out;
}

/** A worker's pseudo-gradients for the centres from the micro-batch it just prepared (`rows` = shard weight). */
export function centreStatsOf(objective: TipsObjective, rows: number): Record<string, Float32Array> {
  const all = objective.teacherLogits();
  if (all.length !== 1) throw new ParallelError(`a worker prepares one micro-batch per step; TipsObjective holds ${all.length}`);
  const p = all[0]!;
  const out: Record<string, Float32Array> = {};
  tf.tidy(() => {
    if (p.dinoTeacherLogits) {
      const K = p.dinoTeacherLogits.shape[p.dinoTeacherLogits.rank - 1]!;
      out[STAT_DINO_MEAN] = tf.mean(tf.reshape(p.dinoTeacherLogits, [-1, K]), 0).dataSync() as Float32Array;
    }
    if (p.ibotTeacherLogits) {
      const K = p.ibotTeacherLogits.shape[p.ibotTeacherLogits.rank - 1]!;
      const logits = tf.reshape(p.ibotTeacherLogits, [-1, K]);
      const m = p.mask ? tf.reshape(tf.cast(p.mask, 'float32'), [-1, 1]) : tf.onesLike(tf.slice(logits, [0, 0], [-1, 1]));
      out[STAT_IBOT_SUM] = tf.div(tf.sum(tf.mul(logits, m), 0), rows).dataSync() as Float32Array;
      out[STAT_IBOT_COUNT] = Float32Array.of(tf.sum(m).dataSync()[0]! / rows);
    }
  });
  return out;
}

/** Copies of the reduced statistics (the pool's views are only valid until its next step). */
export function readCentreStats(grads: Map<string, Float32Array>): Record<string, Float32Array> {
  const out: Record<string, Float32Array> = {};
  for (const name of [STAT_DINO_MEAN, STAT_IBOT_SUM, STAT_IBOT_COUNT]) {
    const g = grads.get(name);
    if (g) out[name] = g.slice();
  }
  return out;
}

/**
 * The centre updates of one micro-batch from the reduced statistics: DINO c ← m·c + (1−m)·batch mean;
 * iBOT the same with the masked mean, skipped when the batch had no masked token (as TeacherCentre.update).
 */
export function applyCentreStats(model: TipsModel, stats: Record<string, Float32Array>): void {
  const dino = stats[STAT_DINO_MEAN];
  if (dino && model.dinoCentre) tf.tidy(() => model.dinoCentre!.update(tf.tensor2d(dino, [1, dino.length])));
  const sum = stats[STAT_IBOT_SUM];
  const count = stats[STAT_IBOT_COUNT]?.[0] ?? 0;
  if (sum && model.ibotCentre && count > 0) {
    tf.tidy(() => model.ibotCentre!.update(tf.div(tf.tensor2d(sum, [1, sum.length]), count)));
  }
}
