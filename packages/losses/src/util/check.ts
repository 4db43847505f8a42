import type * as tf from '@tensorflow/tfjs-core';
import { LossError } from '../errors';

const fmt = (shape: readonly number[]) => `[${shape.join(', ')}]`;

/** Throws a `shape` LossError unless `t` has rank `rank`. */
export function expectRank(t: tf.Tensor, rank: number | readonly number[], what: string, hint = ''): void {
  const ok = typeof rank === 'number' ? t.rank === rank : rank.includes(t.rank);
  if (!ok) {
    const want = typeof rank === 'number' ? `rank ${rank}` : `rank ${rank.join(' or ')}`;
    throw new LossError('shape', `${what} must have ${want} but has shape ${fmt(t.shape)}${hint ? `; ${hint}` : ''}`);
  }
}

/** Throws a `shape` LossError unless both tensors have the same shape. */
export function expectSameShape(a: tf.Tensor, b: tf.Tensor, whatA: string, whatB: string): void {
  if (a.rank !== b.rank || a.shape.some((d, i) => d !== b.shape[i])) {
    throw new LossError('shape', `${whatA} ${fmt(a.shape)} and ${whatB} ${fmt(b.shape)} must have the same shape`);
  }
}

/** Throws a `value` LossError unless `x` is a finite number strictly above zero. */
export function expectPositive(x: number, what: string): void {
  if (!(Number.isFinite(x) && x > 0)) throw new LossError('value', `${what} must be a finite number > 0, got ${x}`);
}

/** Throws a `value` LossError unless `x` is a finite number in [lo, hi]. */
export function expectInRange(x: number, lo: number, hi: number, what: string): void {
  if (!(Number.isFinite(x) && x >= lo && x <= hi)) throw new LossError('value', `${what} must be in [${lo}, ${hi}], got ${x}`);
}

/** Throws a `value` LossError unless `x` is an integer ≥ `min`. */
export function expectInt(x: number, min: number, what: string): void {
  if (!(Number.isInteger(x) && x >= min)) throw new LossError('value', `${what} must be an integer ≥ ${min}, got ${x}`);
}

export { fmt as formatShape };
