import type { ParamSpec } from '@tips/runtime';
import { Rng } from '@tips/runtime';

/** Number of scalars of a spec. */
function size(spec: ParamSpec): number {
  return spec.shape.reduce((a, b) => a * b, 1);
}

/** N(0, std²) values from a seeded stream (mmseg's normal_init of a decode head's classifier: std 0.01). */
export function normalInit(rng: Rng, std: number): (spec: ParamSpec) => Float32Array {
  return (spec) => new Float32Array(size(spec)).map(() => std * rng.normal());
}

/**
 * PyTorch's default Conv2d/Linear initialisation (kaiming_uniform with a = √5 for the weight, and
 * the bias alike): U(−1/√fanIn, 1/√fanIn). Weights are [fanIn, out] in memory.
 */
export function torchDefaultInit(rng: Rng, fanIn: number): (spec: ParamSpec) => Float32Array {
  const bound = 1 / Math.sqrt(fanIn);
  return (spec) => new Float32Array(size(spec)).map(() => (2 * rng.uniform() - 1) * bound);
}

/** Weights from `weight`, zeros for names ending in `.bias`. */
export function weightsAndZeroBias(weight: (spec: ParamSpec) => Float32Array): (spec: ParamSpec) => Float32Array {
  return (spec) => (spec.name.endsWith('.bias') ? new Float32Array(size(spec)) : weight(spec));
}

export function seedRng(seed: number | undefined, kind: string): Rng {
  return Rng.derive(seed ?? 0, 'head-init', kind);
}
