import { LossError } from '../errors';

/** A source of uniform random numbers in [0, 1), like `Math.random`. */
export type RandomSource = () => number;

/**
 * A small seeded generator (mulberry32: 32-bit state, period 2^32) for code here that needs
 * randomness (weight initialisation, masking). Use your own `RandomSource` (e.g. the project's
 * `Rng`) when the stream must be saved and resumed.
 */
export function seededRandom(seed: number): RandomSource {
  if (!Number.isFinite(seed)) throw new LossError('value', `seed must be a finite number, got ${seed}`);
  let a = Math.trunc(seed) >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Picks the random source from `{ random, seed }` options: `random` wins, then `seed`, else an error. */
export function randomFrom(options: { random?: RandomSource; seed?: number }, what: string): RandomSource {
  if (options.random) return options.random;
  if (options.seed !== undefined) return seededRandom(options.seed);
  throw new LossError('value', `${what} needs randomness: pass { seed: <number> } or { random: () => number }`);
}

/** A standard normal draw (Box–Muller) from a uniform source. */
export function normalFrom(random: RandomSource): number {
  let u = 0;
  while (u === 0) u = random();
  const v = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}
