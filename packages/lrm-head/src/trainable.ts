import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '@tips/runtime';
import type { LrmBatch } from './batches';
import type { LrmModel } from './model';

/** What the trainer's loop passes to a Trainable (structurally @tips/trainer's StepContext). */
export interface LrmStepContext {
  step: number;
  rng: Rng;
}

export interface LrmTrainableOptions {
  /** Train the image tower too; default false (frozen tower, its tokens are computed once and cached). */
  fineTune?: boolean;
}

/**
 * Trains an LrmModel with @tips/trainer's loop (structurally its Trainable<LrmBatch>): renders the
 * batch's target rays from the triplanes predicted from the source views and returns the MSE to the
 * ground-truth colours (LRM's pixel loss; the paper adds LPIPS, not used here). With a frozen tower
 * the source tokens are computed in prepare() outside the gradient tape and cached per (scene, view).
 */
export class LrmTrainable {
  readonly fineTune: boolean;
  private readonly cache = new Map<string, Float32Array>();
  private tokenShape: [number, number] | null = null;

  constructor(
    readonly model: LrmModel,
    options: LrmTrainableOptions = {},
  ) {
    this.fineTune = options.fineTune ?? false;
  }

  trainableVariables(): Map<string, tf.Variable> {
    const out = new Map<string, tf.Variable>();
    for (const [k, v] of this.model.head.params.variables()) out.set(`head.${k}`, v);
    if (this.fineTune) for (const [k, v] of this.model.encoder.params.variables()) out.set(`encoder.${k}`, v);
    return out;
  }

  /** Head and tower: a checkpoint holds the whole model, so it can be evaluated and resumed alone. */
  stateVariables(): Map<string, tf.Variable> {
    const out = this.trainableVariables();
    if (!this.fineTune) for (const [k, v] of this.model.encoder.params.variables()) out.set(`encoder.${k}`, v);
    return out;
  }

  private key(batch: LrmBatch, k: number): string {
    return `${batch.scenes[k]}/${batch.sourceViews[k]}`;
  }

  /** Frozen tower: encodes the batch's source views that are not cached yet (no tape, no gradient). */
  prepare(batch: LrmBatch): void {
    if (this.fineTune) return;
    const B = batch.scenes.length;
    const missing = Array.from({ length: B }, (_, k) => k).filter((k) => !this.cache.has(this.key(batch, k)));
    if (!missing.length) return;
    const { height: H, width: W } = batch;
    const px = H * W * 3;
    const imgs = new Float32Array(missing.length * px);
    missing.forEach((k, i) => imgs.set(batch.sources.subarray(k * px, (k + 1) * px), i * px));
    const tokens = tf.tidy(() => this.model.encode(tf.tensor4d(imgs, [missing.length, H, W, 3])));
    const [, N, D] = tokens.shape;
    this.tokenShape = [N, D];
    const data = tokens.dataSync() as Float32Array;
    tokens.dispose();
    missing.forEach((k, i) => this.cache.set(this.key(batch, k), data.slice(i * N * D, (i + 1) * N * D)));
  }

  private tokens(batch: LrmBatch): tf.Tensor3D {
    const B = batch.scenes.length;
    if (this.fineTune) return this.model.encode(tf.tensor4d(batch.sources, [B, batch.height, batch.width, 3]), { training: true });
    this.prepare(batch);
    const [N, D] = this.tokenShape!;
    const data = new Float32Array(B * N * D);
    for (let k = 0; k < B; k++) data.set(this.cache.get(this.key(batch, k))!, k * N * D);
    return tf.tensor3d(data, [B, N, D]);
  }

  /** Rendered colours of the batch's target rays, [rays, 3] (new tensor). */
  renderBatch(batch: LrmBatch, rng: Rng | null): tf.Tensor2D {
    return tf.tidy(() => {
      const planes = this.model.head.triplanes(this.tokens(batch), tf.tensor2d(batch.cameras, [batch.scenes.length, 16]));
      return this.model.head.render(planes, batch.request, rng).rgb;
    });
  }

  loss(batch: LrmBatch, ctx: LrmStepContext): { total: tf.Scalar; terms: Record<string, tf.Scalar> } {
    const rgb = this.renderBatch(batch, ctx.rng);
    const target = tf.tensor2d(batch.targets, [batch.request.rays.count, 3]);
    const mse = tf.mean(tf.square(tf.sub(rgb, target))) as tf.Scalar;
    const psnr = tf.mul(tf.log(tf.maximum(mse, 1e-10)), -10 / Math.LN10) as tf.Scalar;
    return { total: mse, terms: { mse, psnr } };
  }

  /** Drops the cached tower tokens (e.g. after loading other tower weights). */
  clearCache(): void {
    this.cache.clear();
  }
}
