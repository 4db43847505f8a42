import { Rng } from '@tips/runtime';
import { join } from 'node:path';
import { tempDir } from '../testing/fixtures';
import { writeTarShard } from '../formats/tar-writer';
import { listSource } from './list-source';
import { rankOrder, shuffleBuffer } from './sharding';
import { webDatasetSource } from './webdataset-source';
import type { SampleSource } from './source';

async function collect(source: SampleSource, epoch: number, worldSize: number, skip = 0): Promise<(number | string)[][]> {
  const parts: (number | string)[][] = [];
  for (let rank = 0; rank < worldSize; rank++) {
    const ids: (number | string)[] = [];
    for await (const s of source.epoch(epoch, { rank, worldSize }, skip)) ids.push(s.id);
    parts.push(ids);
  }
  return parts;
}

function expectPartition(parts: (number | string)[][], all: (number | string)[]): void {
  const flat = parts.flat();
  expect(new Set(flat).size).toBe(flat.length); // no sample twice
  expect([...flat].map(String).sort()).toEqual([...all].map(String).sort()); // none lost
}

describe('rankOrder', () => {
  it.each([1, 2, 3, 7])('partitions 50 items across %i ranks', (W) => {
    const parts = Array.from({ length: W }, (_, rank) => rankOrder(50, { rank, worldSize: W }, { shuffle: true, seed: 1, epoch: 3 }));
    expectPartition(parts, Array.from({ length: 50 }, (_, i) => i));
    const sizes = parts.map((p) => p.length);
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
  });
  it('reshuffles each epoch, deterministically', () => {
    const o = (e: number) => rankOrder(20, { rank: 0, worldSize: 1 }, { shuffle: true, seed: 1, epoch: e });
    expect(o(0)).toEqual(o(0));
    expect(o(0)).not.toEqual(o(1));
    expect(rankOrder(5, { rank: 0, worldSize: 1 }, { shuffle: false, seed: 1, epoch: 0 })).toEqual([0, 1, 2, 3, 4]);
  });
  it('rejects bad ranks', () => {
    expect(() => rankOrder(5, { rank: 2, worldSize: 2 }, { shuffle: false, seed: 0, epoch: 0 })).toThrow(/rank 2 of worldSize 2/);
  });
});

describe('shuffleBuffer', () => {
  it('is a deterministic permutation that moves items', async () => {
    const run = async (seed: number) => {
      const out: number[] = [];
      async function* src() {
        for (let i = 0; i < 100; i++) yield i;
      }
      for await (const x of shuffleBuffer(src(), 16, new Rng(seed))) out.push(x);
      return out;
    };
    const a = await run(1);
    expect([...a].sort((x, y) => x - y)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(a).toEqual(await run(1));
    expect(a).not.toEqual(await run(2));
    expect(a).not.toEqual(Array.from({ length: 100 }, (_, i) => i));
  });
});

describe('list source across ranks', () => {
  it('no sample twice, none lost; skip resumes the same stream', async () => {
    const src = listSource(Array.from({ length: 23 }, (_, i) => ({ image: `img${i}.png` })), { seed: 4 });
    for (const W of [1, 2, 4]) expectPartition(await collect(src, 1, W), Array.from({ length: 23 }, (_, i) => i));
    const full = (await collect(src, 1, 2))[1]!;
    expect((await collect(src, 1, 2, 5))[1]).toEqual(full.slice(5));
    expect(src.size({ rank: 0, worldSize: 2 })).toBe(12);
    expect(src.size({ rank: 1, worldSize: 2 })).toBe(11);
  });
});

describe('WebDataset source across ranks', () => {
  let tmp: ReturnType<typeof tempDir>;
  const keys: string[] = [];
  beforeAll(async () => {
    tmp = tempDir();
    for (let s = 0; s < 5; s++) {
      const samples = Array.from({ length: 4 + s }, (_, i) => ({ key: `s${s}_${i}`, files: { txt: `caption ${s} ${i}` } }));
      keys.push(...samples.map((x) => x.key));
      await writeTarShard(join(tmp.dir, `shard-${String(s).padStart(4, '0')}.tar`), samples);
    }
  });
  afterAll(() => tmp.cleanup());

  it.each([1, 2, 3, 5, 8])('partitions the samples of 5 shards across %i ranks (shard- or sample-level)', async (W) => {
    const src = webDatasetSource(join(tmp.dir, 'shard-{0000..0004}.tar'), { seed: 2, bufferSize: 6 });
    expectPartition(await collect(src, 0, W), keys);
    expectPartition(await collect(src, 1, W), keys);
  });

  it('is deterministic, reshuffles per epoch, and resumes by skipping', async () => {
    const src = webDatasetSource(join(tmp.dir, 'shard-{0000..0004}.tar'), { seed: 2, bufferSize: 6 });
    const [a] = await collect(src, 0, 1);
    expect((await collect(src, 0, 1))[0]).toEqual(a);
    expect((await collect(src, 1, 1))[0]).not.toEqual(a);
    expect((await collect(src, 0, 1, 7))[0]).toEqual(a!.slice(7));
    const ordered = webDatasetSource(join(tmp.dir, 'shard-{0000..0004}.tar'), { shuffle: false });
    expect((await collect(ordered, 0, 1))[0]).toEqual(keys);
  });

  it('keeps the samples before a damaged shard and reports it', async () => {
    const errors: string[] = [];
    const src = webDatasetSource([join(tmp.dir, 'shard-0000.tar'), join(tmp.dir, 'missing.tar')], { shuffle: false, onShardError: (s) => errors.push(s) });
    const [ids] = await collect(src, 0, 1);
    expect(ids).toHaveLength(4);
    expect(errors).toEqual([join(tmp.dir, 'missing.tar')]);
    const strict = webDatasetSource([join(tmp.dir, 'missing.tar')], { shuffle: false });
    await expect(collect(strict, 0, 1)).rejects.toThrow(/missing\.tar: cannot read tar shard/);
  });
});
