import { DataOptionError } from '../errors';
import { labelIds, type ManifestRecord } from '../formats/manifest';
import type { ImageFolder } from '../formats/image-folder';
import type { RetrievalSet } from '../formats/coco-captions';
import type { ImageInput } from '../image/decode';
import { rankOrder } from './sharding';
import type { RawSample, SampleSource, ShardPart } from './source';

export interface ListSourceOptions {
  /** Shuffle the order every epoch (seeded; default true). Use false for evaluation. */
  shuffle?: boolean;
  seed?: number | string;
}

/** One item of an in-memory dataset; `id` defaults to the position in the list. */
export interface ListItem {
  image: ImageInput;
  label?: number;
  webCaption?: string;
  syntheticCaptions?: string[];
  id?: number | string;
}

/** An in-memory list of samples as a SampleSource (random access: resume is O(1)). */
export function listSource(items: readonly ListItem[], opts: ListSourceOptions = {}, description = `list (${items.length} items)`): SampleSource {
  if (items.length === 0) throw new DataOptionError('the dataset has no samples');
  const shuffle = opts.shuffle ?? true;
  const seed = opts.seed ?? 0;
  const toSample = (i: number): RawSample => {
    const it = items[i]!;
    return { id: it.id ?? i, image: it.image, webCaption: it.webCaption ?? '', syntheticCaptions: it.syntheticCaptions ?? [], label: it.label ?? -1 };
  };
  return {
    description,
    size: (part: ShardPart) => Math.floor(items.length / part.worldSize) + (part.rank < items.length % part.worldSize ? 1 : 0),
    epoch(epoch: number, part: ShardPart, skip: number): AsyncIterable<RawSample> {
      const order = rankOrder(items.length, part, { shuffle, seed, epoch });
      return (async function* () {
        for (let k = skip; k < order.length; k++) yield toSample(order[k]!);
      })();
    },
  };
}

/** A manifest's records as a SampleSource; sample ids are the record indices; string labels map to `classes`. */
export function manifestSource(records: readonly ManifestRecord[], opts: ListSourceOptions & { classes?: readonly string[] } = {}): SampleSource & { classes: string[] } {
  const { ids, classes } = labelIds(records, opts.classes);
  const items = records.map((r, i) => ({ id: r.index, image: r.image, label: ids[i]!, webCaption: r.webCaption, syntheticCaptions: r.syntheticCaptions }));
  return { ...listSource(items, opts, `manifest (${records.length} records)`), classes };
}

/** An image folder (class per sub-folder) as a SampleSource, for kNN / linear-probe features. */
export function imageFolderSource(folder: ImageFolder, opts: ListSourceOptions = {}): SampleSource {
  return listSource(folder.items.map((it) => ({ image: it.path, label: it.label })), opts, `image folder ${folder.root}`);
}

/** The images of a retrieval set as a SampleSource (label = image index), in file order by default. */
export function retrievalImageSource(set: RetrievalSet, opts: ListSourceOptions = { shuffle: false }): SampleSource {
  return listSource(set.images.map((im, i) => ({ image: im.path, label: i, id: im.id })), opts, `retrieval images (${set.images.length})`);
}
