import { CaptionConfigError } from '../errors';

/** Shard `index` of `count`: the records whose manifest index ≡ index (mod count). */
export interface ShardSpec {
  index: number;
  count: number;
}

export const WHOLE: ShardSpec = { index: 0, count: 1 };

/** Parses "i/n" (0-based i < n), e.g. "0/4". */
export function parseShard(spec: string): ShardSpec {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(spec);
  if (!m) throw new CaptionConfigError(`--shard "${spec}" is not of the form i/n (e.g. 0/4: the first of four shards, 0-based).`);
  return checkShard({ index: Number(m[1]), count: Number(m[2]) });
}

export function checkShard(s: ShardSpec): ShardSpec {
  if (!(Number.isInteger(s.count) && s.count >= 1)) throw new CaptionConfigError(`Shard count must be an integer ≥ 1, got ${s.count}.`);
  if (!(Number.isInteger(s.index) && s.index >= 0 && s.index < s.count)) {
    throw new CaptionConfigError(`Shard index ${s.index} is out of range for ${s.count} shard(s): use 0 … ${s.count - 1}.`);
  }
  return s;
}

/** Strided assignment: balanced shards, whatever the order of the manifest. */
export function inShard(recordIndex: number, s: ShardSpec): boolean {
  return recordIndex % s.count === s.index;
}

export function shardName(s: ShardSpec): string {
  return `${s.index}/${s.count}`;
}
