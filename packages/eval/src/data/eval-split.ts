import { applyEvalTransform, decodeImage, readClassMask, readDepth, readManifest, type ManifestRecord } from '@tips/data';
import { EvalInputError } from '../errors';
import type { ImageBatches } from '../features/extract';
import { readDatasetInfo, type DatasetInfo } from './dataset-info';

/** One evaluation split: the manifest's records and what the dataset says about its classes. */
export interface EvalSplit {
  name: string;
  manifest: string;
  records: ManifestRecord[];
  info: DatasetInfo;
}

export interface OpenSplitOptions {
  /** Use only the first N records. */
  maxImages?: number;
  /** Overrides of dataset.json. */
  info?: DatasetInfo;
  name?: string;
}

/** Reads a JSONL manifest (captions optional) and the dataset.json beside it. */
export async function openEvalSplit(manifest: string, options: OpenSplitOptions = {}): Promise<EvalSplit> {
  let records = await readManifest(manifest, { requireCaptions: false });
  if (options.maxImages !== undefined) records = records.slice(0, Math.max(1, options.maxImages));
  const info = { ...(await readDatasetInfo(manifest)), ...stripUndefined(options.info ?? {}) };
  return { name: options.name ?? manifest, manifest, records, info };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Images of a split through the evaluation transform (antialiased resize to size, [0, 1], NHWC). */
export function splitImages(split: EvalSplit, size: [number, number]): ImageBatches {
  const [H, W] = size;
  return {
    count: split.records.length,
    size,
    async load(indices) {
      const out = new Float32Array(indices.length * H * W * 3);
      await Promise.all(
        indices.map(async (i, k) => {
          const img = await decodeImage(split.records[i]!.image);
          out.set(applyEvalTransform(img, { resize: [W, H] }).data, k * H * W * 3);
        }),
      );
      return out;
    },
  };
}

/** Nearest-neighbour resize of a single-channel map (pixel centres: source floor((y + ½)·h/H)). */
export function resizeNearest<T extends Uint8Array | Float32Array>(data: T, w: number, h: number, W: number, H: number): T {
  if (w === W && h === H) return data;
  const out = new (data.constructor as { new (n: number): T })(W * H);
  for (let y = 0; y < H; y++) {
    const sy = Math.min(h - 1, Math.floor(((y + 0.5) * h) / H));
    for (let x = 0; x < W; x++) out[y * W + x] = data[sy * w + Math.min(w - 1, Math.floor(((x + 0.5) * w) / W))]!;
  }
  return out;
}

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]!, i);
      }
    }),
  );
  return out;
}

/** Whether every record of the split has a mask / depth map / label / caption. */
export function splitHas(split: EvalSplit, what: 'mask' | 'depth' | 'label' | 'caption'): boolean {
  return split.records.every((r) => (what === 'caption' ? r.webCaption !== undefined || r.syntheticCaptions.length > 0 : r[what] !== undefined));
}

/** Class masks resized (nearest) to `size` = [H, W]: one Uint8Array of class ids per record. */
export async function loadMasks(split: EvalSplit, size: [number, number]): Promise<Uint8Array[]> {
  const [H, W] = size;
  return mapLimit(split.records, 8, async (r) => {
    if (!r.mask) throw new EvalInputError(`${split.manifest} line ${r.line}: no 'mask' for segmentation; add masks or leave out the seg/zsseg tasks`);
    const m = await readClassMask(r.mask);
    return resizeNearest(m.data, m.width, m.height, W, H);
  });
}

/** Depth maps (metres; 0 = unknown) resized (nearest) to `size`. */
export async function loadDepths(split: EvalSplit, size: [number, number]): Promise<Float32Array[]> {
  const [H, W] = size;
  const scale = split.info.depthScale ?? 1 / 1000;
  return mapLimit(split.records, 8, async (r) => {
    if (!r.depth) throw new EvalInputError(`${split.manifest} line ${r.line}: no 'depth' map; add depth or leave out the depth task`);
    const d = await readDepth(r.depth, scale);
    return resizeNearest(d.data, d.width, d.height, W, H);
  });
}

/** Which captions describe an image in retrieval. */
export type CaptionChoice = 'all' | 'web' | 'synthetic';

/** The captions of a split for retrieval: texts and, for each, the index of its image. */
export function splitCaptions(split: EvalSplit, which: CaptionChoice = 'all'): { texts: string[]; textImage: Int32Array } {
  const texts: string[] = [];
  const owner: number[] = [];
  split.records.forEach((r, i) => {
    const caps = [...(which !== 'synthetic' && r.webCaption ? [r.webCaption] : []), ...(which !== 'web' ? r.syntheticCaptions : [])];
    for (const c of caps) {
      texts.push(c);
      owner.push(i);
    }
  });
  return { texts, textImage: Int32Array.from(owner) };
}
