import type { ImageInput } from '../image/decode';

/** One sample as read from a dataset, before decoding. */
export interface RawSample {
  /** Stable id seeding the sample's views and caption choice: manifest index or WebDataset key. */
  id: number | string;
  image: ImageInput;
  webCaption: string;
  syntheticCaptions: string[];
  /** Integer class id, -1 when the dataset has none. */
  label: number;
}

/** Which part of the data this process reads: rank `rank` of `worldSize` data-parallel workers. */
export interface ShardPart {
  rank: number;
  worldSize: number;
}

/**
 * A dataset the loader can iterate: each epoch yields this rank's samples in a deterministic order
 * (a function of the seed, the epoch and the part), and can start `skip` samples in (exact resume).
 */
export interface SampleSource {
  /** Samples per epoch for `part`, when known without reading the data. */
  size(part: ShardPart): number | undefined;
  epoch(epoch: number, part: ShardPart, skip: number): AsyncIterable<RawSample>;
  /** A short description for logs. */
  readonly description: string;
}
