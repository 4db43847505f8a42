import { Rng } from '@tips/runtime';
import { DataOptionError } from '../errors';
import type { ShardPart } from './source';

/** Validates a rank/world-size pair. */
export function checkPart(part: ShardPart): void {
  if (!Number.isInteger(part.worldSize) || part.worldSize < 1 || !Number.isInteger(part.rank) || part.rank < 0 || part.rank >= part.worldSize) {
    throw new DataOptionError(`bad data shard rank ${part.rank} of worldSize ${part.worldSize}; need integers 0 ≤ rank < worldSize`);
  }
}

/**
 * The positions of `n` items that rank `rank` reads in an epoch: the epoch's order (a seeded
 * permutation, or 0..n-1 without shuffling), then every worldSize-th item starting at rank. Across
 * ranks every item is read exactly once; rank sizes differ by at most one.
 */
export function rankOrder(n: number, part: ShardPart, opts: { shuffle: boolean; seed: number | string; epoch: number }): number[] {
  checkPart(part);
  const order = opts.shuffle ? Rng.derive(opts.seed, 'order', opts.epoch).permutation(n) : Array.from({ length: n }, (_, i) => i);
  const mine: number[] = [];
  for (let k = part.rank; k < n; k += part.worldSize) mine.push(order[k]!);
  return mine;
}

/**
 * WebDataset-style shuffle buffer: keeps up to `size` items, and for each new item yields a random
 * one of the buffer and puts the new one in its place; drains in random order at the end.
 * Deterministic for a given Rng. size ≤ 1 passes items through unchanged.
 */
export async function* shuffleBuffer<T>(items: AsyncIterable<T>, size: number, rng: Rng): AsyncGenerator<T> {
  if (size <= 1) {
    yield* items;
    return;
  }
  const buf: T[] = [];
  for await (const it of items) {
    if (buf.length < size) {
      buf.push(it);
      continue;
    }
    const j = rng.int(size);
    const out = buf[j]!;
    buf[j] = it;
    yield out;
  }
  rng.shuffle(buf);
  yield* buf;
}
