import { ParamStore, Rng } from '@tips/runtime';
import { EvalInputError } from '../errors';
import { LinearSegHead } from './linear-seg';
import { selectRidge, type RidgeSelection } from './ridge';

/** Inputs of a closed-form segmentation probe: patch tokens and the masks they cover. */
export interface RidgeSegInput {
  /** Patch tokens of every training image, [count, h·w, D] row-major. */
  patches: Float32Array;
  count: number;
  grid: [number, number];
  dim: number;
  /** Class masks at `size` [H·W] (values < classes, or ignoreIndex). */
  masks: readonly Uint8Array[];
  size: [number, number];
  classes: number;
  ignoreIndex: number;
  seed?: number;
  /** Most patch rows used for the fit (seeded sample of images beyond it; default 60,000). */
  maxRows?: number;
  lambdas?: readonly number[];
}

/**
 * Per patch, the fraction of its labelled pixels in each class ([N·C], row-major), with the
 * patches that hold no labelled pixel marked in `empty`. Pixel (y, x) belongs to patch
 * (⌊y·h/H⌋, ⌊x·w/W⌋), the cell of the patch grid stretched over the mask.
 */
export function patchClassFractions(mask: Uint8Array, size: [number, number], grid: [number, number], classes: number, ignoreIndex: number): { fractions: Float32Array; empty: Uint8Array } {
  const [H, W] = size;
  const [h, w] = grid;
  if (mask.length !== H * W) throw new EvalInputError(`mask holds ${mask.length} pixels, expected ${H}×${W}`);
  const counts = new Float32Array(h * w * classes);
  const total = new Float32Array(h * w);
  for (let y = 0; y < H; y++) {
    const py = Math.floor((y * h) / H);
    for (let x = 0; x < W; x++) {
      const v = mask[y * W + x]!;
      if (v === ignoreIndex || v >= classes) continue;
      const p = py * w + Math.floor((x * w) / W);
      counts[p * classes + v]! += 1;
      total[p]! += 1;
    }
  }
  const empty = new Uint8Array(h * w);
  for (let p = 0; p < h * w; p++) {
    if (total[p] === 0) empty[p] = 1;
    else for (let c = 0; c < classes; c++) counts[p * classes + c]! /= total[p]!;
  }
  return { fractions: counts, empty };
}

/**
 * The closed-form linear segmentation probe: ridge regression from each patch token to its
 * patch's class fractions (the least-squares version of DINOv2's 1×1 linear probe), λ chosen on a
 * seeded 20 % of the images held out, then refit on all. Returns a LinearSegHead holding the fitted
 * map, so prediction is the same as the SGD probe's: bilinear upsampling of the patch scores, argmax.
 */
export function fitRidgeSegHead(input: RidgeSegInput): { head: LinearSegHead; selection: RidgeSelection; rows: number } {
  const { patches, count, grid, dim: D, classes: C } = input;
  const N = grid[0] * grid[1];
  if (patches.length !== count * N * D) throw new EvalInputError(`ridge seg: patches hold ${patches.length} values, expected ${count}×${N}×${D}`);
  if (input.masks.length !== count) throw new EvalInputError(`ridge seg: ${input.masks.length} masks for ${count} images`);
  const rng = Rng.derive(input.seed ?? 0, 'ridge-seg');
  const order = rng.shuffle(Array.from({ length: count }, (_, i) => i));
  const maxImages = Math.max(2, Math.floor((input.maxRows ?? 60_000) / N));
  const used = order.slice(0, Math.min(count, maxImages));
  if (used.length < 2) throw new EvalInputError('ridge seg: needs at least 2 training images');
  const nVal = Math.min(used.length - 1, Math.max(1, Math.round(0.2 * used.length)));
  const rowsOf = (images: number[]) => {
    const xs: Float32Array[] = [];
    const ys: Float32Array[] = [];
    for (const i of images) {
      const { fractions, empty } = patchClassFractions(input.masks[i]!, input.size, grid, C, input.ignoreIndex);
      for (let p = 0; p < N; p++) {
        if (empty[p]) continue;
        xs.push(patches.subarray((i * N + p) * D, (i * N + p + 1) * D));
        ys.push(fractions.subarray(p * C, (p + 1) * C));
      }
    }
    const x = new Float32Array(xs.length * D);
    const y = new Float32Array(ys.length * C);
    xs.forEach((r, k) => x.set(r, k * D));
    ys.forEach((r, k) => y.set(r, k * C));
    return { x, y, n: xs.length };
  };
  const val = rowsOf(used.slice(0, nVal));
  const train = rowsOf(used.slice(nVal));
  if (train.n === 0 || val.n === 0) throw new EvalInputError('ridge seg: every patch is unlabelled; check the masks and ignoreIndex');
  const selection = selectRidge(train, val, D, C, input.lambdas);
  const { weights, bias } = selection.model;
  const params = ParamStore.init(LinearSegHead.specs({ embedDim: D, numClasses: C }), (spec) => (spec.name === 'conv_seg.weight' ? Float32Array.from(weights) : Float32Array.from(bias)), false);
  return { head: new LinearSegHead({ embedDim: D, numClasses: C, ignoreIndex: input.ignoreIndex }, params), selection, rows: train.n + val.n };
}
