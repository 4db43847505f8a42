import { Rng } from '@tips/runtime';
import { resampleCrop, type CropBox } from '../image/resample';
import type { RgbImage } from '../image/types';
import { randomResizedCropBox } from './random-resized-crop';
import type { TipsViewConfig } from './view-config';

/** The crops of one image, as Float32 RGB in [0, 1] in the config's layout. */
export interface TipsViews {
  /** [S, S, 3] (hwc) or [3, S, S] (chw), S = globalSize. */
  global: Float32Array;
  /** localCount crops one after another, each [s, s, 3] or [3, s, s], s = localSize. */
  locals: Float32Array;
  /** Where each crop came from in the decoded image, and whether it was flipped (global first). */
  boxes: CropBox[];
  flips: boolean[];
}

/** Where a sample's view randomness comes from: the run seed, the epoch and a stable sample id. */
export interface ViewKey {
  seed: number | string;
  epoch: number;
  /** Manifest line index or WebDataset key: stable across worker counts, ranks and resumes. */
  sampleId: number | string;
}

/** The Rng of a sample's views: Rng.derive(seed, 'views', epoch, sampleId). */
export function viewRng(key: ViewKey): Rng {
  return Rng.derive(key.seed, 'views', key.epoch, key.sampleId);
}

/**
 * Makes the global and local crops of `img`. Deterministic in (config, key): a resumed run, another
 * worker count or another rank sees the same views of the same sample in the same epoch.
 * Writes into `out` (global, locals) when given, so a batch can be filled without copies.
 */
export function makeTipsViews(
  img: RgbImage,
  config: TipsViewConfig,
  key: ViewKey,
  out?: { global: Float32Array; globalOffset: number; locals: Float32Array; localOffset: number; localStride?: number },
): TipsViews {
  const rng = viewRng(key);
  const G = config.globalSize;
  const L = config.localSize;
  const global = out?.global ?? new Float32Array(G * G * 3);
  const locals = out?.locals ?? new Float32Array(config.localCount * L * L * 3);
  const boxes: CropBox[] = [];
  const flips: boolean[] = [];
  const crop = (scale: [number, number], size: number, dst: Float32Array, offset: number) => {
    const box = randomResizedCropBox(img.width, img.height, { scale, ratio: config.ratio }, rng);
    const flip = rng.bernoulli(config.flipProb);
    resampleCrop(img, box, size, size, { flip, layout: config.layout, out: dst, offset });
    boxes.push(box);
    flips.push(flip);
  };
  crop(config.globalScale, G, global, out?.globalOffset ?? 0);
  const stride = out?.localStride ?? L * L * 3;
  for (let m = 0; m < config.localCount; m++) crop(config.localScale, L, locals, (out?.localOffset ?? 0) + m * stride);
  return { global, locals, boxes, flips };
}
