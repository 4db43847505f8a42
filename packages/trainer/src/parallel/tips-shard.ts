import type { TipsBatch } from '@tips/data';
import type { TokenizedText } from '@tips/data';

/** Rows [start, end) of a row-major block whose first axis is the batch (global crops, masks, tokens). */
function rows<T extends Float32Array | Int32Array | Uint8Array>(data: T, shape: readonly number[], start: number, end: number): T {
  const per = shape.slice(1).reduce((a, b) => a * b, 1);
  return data.slice(start * per, end * per) as T;
}

function tokensSlice(t: TokenizedText | undefined, start: number, end: number): TokenizedText | undefined {
  if (!t) return undefined;
  return {
    ids: rows(t.ids, t.shape, start, end),
    paddings: rows(t.paddings, t.shape, start, end),
    shape: [end - start, t.shape[1]],
    ...(t.lengths ? { lengths: t.lengths.slice(start, end) } : {}),
  };
}

/**
 * Samples [start, end) of a TIPS batch as a batch of its own (copies; structured-clone friendly, so
 * it can be posted to a worker thread): global crops, masks, captions and tokens by row; the local
 * crops, stored crop-major [M, B, s, s, 3], keep their layout [M, end − start, s, s, 3].
 */
export function sliceTipsBatch(batch: TipsBatch, start: number, end: number): TipsBatch {
  if (!(Number.isInteger(start) && Number.isInteger(end) && 0 <= start && start < end && end <= batch.size)) {
    throw new RangeError(`sliceTipsBatch: [${start}, ${end}) is not a non-empty range of a batch of ${batch.size}`);
  }
  const n = end - start;
  const [M, B, ...crop] = batch.locals.shape as number[];
  const perCrop = crop.reduce((a, b) => a * b, 1);
  const locals = new Float32Array(M! * n * perCrop);
  for (let m = 0; m < M!; m++) locals.set(batch.locals.data.subarray((m * B! + start) * perCrop, (m * B! + end) * perCrop), m * n * perCrop);
  const out: TipsBatch = {
    size: n,
    epoch: batch.epoch,
    position: { ...batch.position },
    ids: batch.ids.slice(start, end),
    labels: batch.labels.slice(start, end),
    global: { data: rows(batch.global.data, batch.global.shape, start, end), shape: [n, ...batch.global.shape.slice(1)] },
    locals: { data: locals, shape: [M!, n, ...crop] },
    webCaptions: batch.webCaptions.slice(start, end),
    syntheticCaptions: batch.syntheticCaptions.slice(start, end),
  };
  if (batch.mask) out.mask = { data: rows(batch.mask.data, batch.mask.shape, start, end), shape: [n, batch.mask.shape[1]] };
  const web = tokensSlice(batch.webTokens, start, end);
  const synthetic = tokensSlice(batch.syntheticTokens, start, end);
  if (web) out.webTokens = web;
  if (synthetic) out.syntheticTokens = synthetic;
  return out;
}
