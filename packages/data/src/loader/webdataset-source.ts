import { Rng } from '@tips/runtime';
import { DataOptionError, DatasetFormatError } from '../errors';
import { expandBraces } from '../formats/brace';
import { interpretWdsSample, readTarShard } from '../formats/webdataset';
import { checkPart, shuffleBuffer } from './sharding';
import type { RawSample, SampleSource, ShardPart } from './source';

export interface WebDatasetSourceOptions {
  /** Shuffle shard order and samples (seeded; default true). */
  shuffle?: boolean;
  seed?: number | string;
  /** Shuffle-buffer size in samples (default 1000). */
  bufferSize?: number;
  /** Class names for string labels in the samples' json. */
  classes?: readonly string[];
  /** Called for a shard that cannot be read to the end (the samples before the damage are kept). */
  onShardError?: (shard: string, error: Error) => void;
}

/**
 * WebDataset tar shards as a SampleSource, streamed. Splitting across `worldSize` ranks:
 * - at least as many shards as ranks: whole shards, the i-th shard of the epoch's shard order going
 *   to rank i mod worldSize;
 * - fewer shards than ranks: every rank reads every shard and keeps every worldSize-th sample.
 * Either way each sample goes to exactly one rank. Resuming skips `skip` samples of the same
 * deterministic stream (read, not decoded).
 */
export function webDatasetSource(shards: string | readonly string[], opts: WebDatasetSourceOptions = {}): SampleSource {
  const paths = expandBraces(shards);
  if (paths.length === 0) throw new DataOptionError('webDatasetSource: no shards');
  const shuffle = opts.shuffle ?? true;
  const seed = opts.seed ?? 0;
  const bufferSize = shuffle ? (opts.bufferSize ?? 1000) : 0;
  const classIds = new Map((opts.classes ?? []).map((c, i) => [c, i]));
  const labelOf = (l: number | string | undefined, where: string): number => {
    if (l === undefined) return -1;
    if (typeof l === 'number') return l;
    const id = classIds.get(l);
    if (id === undefined) throw new DatasetFormatError(`${where}: label '${l}' is not in the classes option; pass classes: [...]`);
    return id;
  };

  async function* raw(epoch: number, part: ShardPart): AsyncGenerator<RawSample> {
    const order = shuffle ? Rng.derive(seed, 'shards', epoch).shuffle([...paths]) : [...paths];
    const byShard = order.length >= part.worldSize;
    const mine = byShard ? order.filter((_, i) => i % part.worldSize === part.rank) : order;
    let counter = 0;
    for (const shard of mine) {
      try {
        for await (const group of readTarShard(shard)) {
          if (!byShard && counter++ % part.worldSize !== part.rank) continue;
          const s = interpretWdsSample(group);
          yield {
            id: s.key,
            image: s.image ?? { bytes: new Uint8Array(0), name: `${shard}:${s.key} (no image file in the sample)` },
            webCaption: s.webCaption ?? '',
            syntheticCaptions: s.syntheticCaptions,
            label: labelOf(s.label, `${shard}: sample '${s.key}'`),
          };
        }
      } catch (e) {
        if (!(e instanceof DatasetFormatError) || !opts.onShardError || !String(e.message).includes('cannot read tar shard')) throw e;
        opts.onShardError(shard, e);
      }
    }
  }

  return {
    description: `webdataset (${paths.length} shards)`,
    size: () => undefined,
    epoch(epoch: number, part: ShardPart, skip: number): AsyncIterable<RawSample> {
      checkPart(part);
      const rng = Rng.derive(seed, 'buffer', epoch, part.rank, part.worldSize);
      const stream = shuffleBuffer(raw(epoch, part), bufferSize, rng);
      return (async function* () {
        let k = 0;
        for await (const s of stream) if (k++ >= skip) yield s;
      })();
    },
  };
}
