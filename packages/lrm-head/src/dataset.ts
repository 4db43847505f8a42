import { loadMultiviewImages, readMultiviewManifest, type MultiviewRecord } from '@tips/data';
import { LrmInputError } from './errors';

/**
 * A multi-view dataset in memory: the validated records of a manifest (see @tips/data's multi-view
 * layout) and every view decoded to Float32 RGB in [0, 1] (HWC). All scenes must share one image size
 * and one scene bound (the triplane spans [−bound, bound]³).
 */
export class MultiviewSet {
  private constructor(
    readonly manifest: string,
    readonly records: MultiviewRecord[],
    /** images[scene][view]: Float32 HWC. */
    readonly images: Float32Array[][],
  ) {}

  static async load(manifest: string, options: { limit?: number } = {}): Promise<MultiviewSet> {
    let records = await readMultiviewManifest(manifest);
    if (options.limit !== undefined) records = records.slice(0, options.limit);
    const first = records[0]!;
    for (const r of records) {
      if (r.width !== first.width || r.height !== first.height) {
        throw new LrmInputError(`${manifest}: scene '${r.id}' is ${r.width}×${r.height} but scene '${first.id}' is ${first.width}×${first.height}; resize every view to one size (scaling K with it)`);
      }
      if (r.bound !== first.bound) throw new LrmInputError(`${manifest}: scene '${r.id}' has bound ${r.bound} but '${first.id}' has ${first.bound}; normalise the scenes to one bound`);
    }
    const images = await Promise.all(records.map((r) => loadMultiviewImages(r)));
    return new MultiviewSet(manifest, records, images);
  }

  get size(): number {
    return this.records.length;
  }
  get width(): number {
    return this.records[0]!.width;
  }
  get height(): number {
    return this.records[0]!.height;
  }
  get bound(): number {
    return this.records[0]!.bound;
  }

  /** Mean colour of one view (the mean-colour baseline predicts it everywhere). */
  meanColor(scene: number, view: number): [number, number, number] {
    const img = this.images[scene]![view]!;
    const m: [number, number, number] = [0, 0, 0];
    for (let i = 0; i < img.length; i += 3) {
      m[0] += img[i]!;
      m[1] += img[i + 1]!;
      m[2] += img[i + 2]!;
    }
    const n = img.length / 3;
    return [m[0] / n, m[1] / n, m[2] / n];
  }
}
