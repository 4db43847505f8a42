import { Rng } from '@tips/runtime';
import type { MultiviewSet } from './dataset';
import { cameraFeatures, CAMERA_FEATURES } from './camera-features';
import { modelFrame, type CameraFrame } from './camera-frame';
import { LrmConfigError } from './errors';
import { cameraRays, concatRays } from './rays';
import type { RenderRequest } from './head';

/** One training batch: source views (the condition), their cameras, and target rays with their colours. */
export interface LrmBatch {
  /** Scene index (in the set) of each batch element. */
  scenes: number[];
  /** Source view of each batch element. */
  sourceViews: number[];
  /** Source images, NHWC [B, H, W, 3] in [0, 1]. */
  sources: Float32Array;
  height: number;
  width: number;
  /** Source camera features [B, 16] (see cameraFeatures). */
  cameras: Float32Array;
  /** Target rays (from `targetViews` views per scene) and the batch element each reads. */
  request: RenderRequest;
  /** Ground-truth colours of the target rays [rays·3]. */
  targets: Float32Array;
}

export interface LrmBatchOptions {
  /** Scenes per batch. */
  batchSize: number;
  /** Supervised views per scene (drawn among all views, the source included). */
  targetViews: number;
  /** Random pixels per target view (all pixels when ≥ H·W). */
  raysPerView: number;
  /** Seed of the data order and of the view/ray choices. */
  seed: number;
  /**
   * Fraction of each view's rays drawn among foreground pixels (colour ≠ the scene's background);
   * the rest are drawn among all pixels (default 0: uniform). Objects cover a small part of the
   * built-in views, so a share of foreground rays puts more of the loss on them.
   */
  foregroundFraction?: number;
  /** Frame of the triplanes (the model's cameraFrame; default 'source'). */
  cameraFrame?: CameraFrame;
}

/** Pixel indices of a view whose colour differs from the background by more than 2/255 in some channel. */
export function foregroundPixels(img: Float32Array, background: readonly number[]): number[] {
  const out: number[] = [];
  const tol = 2 / 255;
  for (let p = 0; p < img.length / 3; p++) {
    if (Math.abs(img[p * 3]! - background[0]!) > tol || Math.abs(img[p * 3 + 1]! - background[1]!) > tol || Math.abs(img[p * 3 + 2]! - background[2]!) > tol) out.push(p);
  }
  return out;
}

function choosePixels(rng: Rng, pixels: number, count: number, foreground: number[] | null, fraction: number): number[] {
  if (count >= pixels) return Array.from({ length: pixels }, (_, i) => i);
  const nf = foreground && foreground.length ? Math.min(Math.round(fraction * count), foreground.length) : 0;
  const fg = nf > 0 ? rng.permutation(foreground!.length).slice(0, nf).map((i) => foreground![i]!) : [];
  return [...fg, ...rng.permutation(pixels).slice(0, count - nf)];
}

/** Position in the stream: epoch and the next index in that epoch's scene order. */
export type LrmDataPosition = { epoch: number; index: number };

/**
 * Builds batch `index` of `epoch` deterministically: the epoch's scene order is a permutation drawn
 * from Rng.derive(seed, 'lrm-order', epoch); each scene's source view, target views and pixels come
 * from Rng.derive(seed, 'lrm-sample', epoch, index + k). The same position always gives the same
 * batch (exact resume).
 */
export function makeLrmBatch(set: MultiviewSet, options: LrmBatchOptions, position: LrmDataPosition): LrmBatch {
  const { batchSize: B, targetViews, raysPerView, seed } = options;
  if (!(B >= 1 && targetViews >= 1 && raysPerView >= 1)) throw new LrmConfigError(`batchSize, targetViews and raysPerView must be ≥ 1`);
  const order = Rng.derive(seed, 'lrm-order', position.epoch).permutation(set.size);
  const H = set.height;
  const W = set.width;
  const pixels = H * W;
  const sources = new Float32Array(B * H * W * 3);
  const cameras = new Float32Array(B * CAMERA_FEATURES);
  const scenes: number[] = [];
  const sourceViews: number[] = [];
  const rayParts = [];
  const sceneOfRay: number[] = [];
  const targets: number[] = [];
  const background: number[] = [];
  for (let k = 0; k < B; k++) {
    const scene = order[(position.index + k) % set.size]!;
    const rec = set.records[scene]!;
    const rng = Rng.derive(seed, 'lrm-sample', position.epoch, position.index + k);
    const V = rec.views.length;
    const src = rng.int(V);
    scenes.push(scene);
    sourceViews.push(src);
    sources.set(set.images[scene]![src]!, k * H * W * 3);
    const toModel = modelFrame(options.cameraFrame ?? 'source', rec.views[src]!.camera);
    cameras.set(cameraFeatures(toModel(rec.views[src]!.camera)), k * CAMERA_FEATURES);
    const views = rng.permutation(V).slice(0, Math.min(targetViews, V));
    for (const v of views) {
      const img = set.images[scene]![v]!;
      const fraction = options.foregroundFraction ?? 0;
      const chosen = choosePixels(rng, pixels, raysPerView, fraction > 0 ? foregroundPixels(img, rec.background) : null, fraction);
      rayParts.push(cameraRays(toModel(rec.views[v]!.camera), chosen));
      for (const p of chosen) {
        targets.push(img[p * 3]!, img[p * 3 + 1]!, img[p * 3 + 2]!);
        sceneOfRay.push(k);
        background.push(...rec.background);
      }
    }
  }
  return {
    scenes,
    sourceViews,
    sources,
    height: H,
    width: W,
    cameras,
    request: { rays: concatRays(rayParts), scene: Int32Array.from(sceneOfRay), background: Float32Array.from(background), bound: set.bound },
    targets: Float32Array.from(targets),
  };
}

/** The position after a batch: the next index, rolling over to the next epoch (the partial tail of an epoch wraps). */
export function nextLrmPosition(set: MultiviewSet, batchSize: number, p: LrmDataPosition): LrmDataPosition {
  const index = p.index + batchSize;
  return index >= set.size ? { epoch: p.epoch + 1, index: 0 } : { epoch: p.epoch, index };
}

/**
 * A DataSource for @tips/trainer's loop: endless batches from a position, cycling over epochs.
 * (Structurally the trainer's DataSource<LrmBatch>.)
 */
export class LrmDataSource {
  readonly imagesPerBatch: number;
  constructor(
    readonly set: MultiviewSet,
    readonly options: LrmBatchOptions,
  ) {
    this.imagesPerBatch = options.batchSize;
  }

  async *batches(from: Record<string, number> | null): AsyncGenerator<{ batch: LrmBatch; next: Record<string, number> }> {
    let pos: LrmDataPosition = from ? { epoch: from.epoch ?? 0, index: from.index ?? 0 } : { epoch: 0, index: 0 };
    for (;;) {
      const batch = makeLrmBatch(this.set, this.options, pos);
      pos = nextLrmPosition(this.set, this.options.batchSize, pos);
      yield { batch, next: { ...pos } };
    }
  }
}
