/** Serialisable state of an Rng: enough to continue the exact same stream after a restart. */
export interface RngState {
  s: [number, number, number, number];
  spare: number | null;
}

/** 32-bit FNV-1a hash of a string. */
export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

function splitmix32(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x = (x + 0x9e3779b9) >>> 0;
    let z = x;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

function mixKeys(seed: number | string, keys: readonly (string | number)[]): number {
  let h = typeof seed === 'number' ? seed >>> 0 : hashString(seed);
  for (const k of keys) {
    const kh = typeof k === 'number' ? k >>> 0 : hashString(k);
    h = splitmix32((h ^ Math.imul(kh, 0x9e3779b1)) >>> 0)();
  }
  return h;
}

/**
 * Seeded pseudo-random numbers (xoshiro128**), the one source of randomness of every TIPS-TS
 * package that draws random numbers. Same seed → same stream on every platform; the state can be
 * saved and restored for exact resume.
 */
export class Rng {
  private s = new Uint32Array(4);
  private spare: number | null = null;

  constructor(seed: number | string = 0) {
    const next = splitmix32(typeof seed === 'number' ? seed >>> 0 : hashString(seed));
    for (let i = 0; i < 4; i++) this.s[i] = next();
    if ((this.s[0]! | this.s[1]! | this.s[2]! | this.s[3]!) === 0) this.s[0] = 1;
  }

  /** An independent stream determined by a seed and a path of keys, e.g. (seed, 'views', sampleIndex). */
  static derive(seed: number | string, ...keys: (string | number)[]): Rng {
    return new Rng(mixKeys(seed, keys));
  }

  static fromState(state: RngState): Rng {
    const r = new Rng(0);
    r.setState(state);
    return r;
  }

  /** Next unsigned 32-bit integer. */
  nextU32(): number {
    const s = this.s;
    const result = Math.imul(rotl(Math.imul(s[1]!, 5), 7), 9) >>> 0;
    const t = s[1]! << 9;
    s[2] ^= s[0]!;
    s[3] ^= s[1]!;
    s[1] ^= s[2]!;
    s[0] ^= s[3]!;
    s[2] ^= t;
    s[3] = rotl(s[3]!, 11);
    return result;
  }

  /** Uniform float in [0, 1) with 53 random bits. */
  uniform(): number {
    const hi = this.nextU32() >>> 5;
    const lo = this.nextU32() >>> 6;
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Uniform float in [lo, hi). */
  range(lo: number, hi: number): number {
    return lo + (hi - lo) * this.uniform();
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    if (!(n > 0)) throw new RangeError(`Rng.int: n must be positive, got ${n}`);
    return Math.floor(this.uniform() * n);
  }

  /** True with probability p. */
  bernoulli(p: number): boolean {
    return this.uniform() < p;
  }

  /** Standard normal (Box–Muller; the second value is kept for the next call). */
  normal(mean = 0, std = 1): number {
    if (this.spare !== null) {
      const v = this.spare;
      this.spare = null;
      return mean + std * v;
    }
    let u = 0;
    while (u === 0) u = this.uniform();
    const v = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return mean + std * r * Math.cos(2 * Math.PI * v);
  }

  /**
   * Normal(mean, std) restricted to [a, b] by rejection. As torch.nn.init.trunc_normal_, the bounds
   * are absolute values (default ±2), not multiples of std.
   */
  truncatedNormal(mean = 0, std = 1, a = -2, b = 2): number {
    if (!(a < b) || mean + 6 * std < a || mean - 6 * std > b) throw new RangeError(`truncatedNormal: [${a}, ${b}] is empty or too far from mean ${mean}`);
    for (;;) {
      const z = mean + std * this.normal();
      if (z >= a && z <= b) return z;
    }
  }

  /** Fills an array with values from `draw`. */
  fill(out: Float32Array, draw: (r: Rng) => number): Float32Array {
    for (let i = 0; i < out.length; i++) out[i] = draw(this);
    return out;
  }

  /** Fisher–Yates shuffle in place. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = items[i]!;
      items[i] = items[j]!;
      items[j] = t;
    }
    return items;
  }

  /** A permutation of 0..n-1. */
  permutation(n: number): number[] {
    return this.shuffle(Array.from({ length: n }, (_, i) => i));
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('Rng.pick: empty list');
    return items[this.int(items.length)]!;
  }

  /** A new independent stream split off this one (advances this stream). */
  fork(): Rng {
    return new Rng(this.nextU32() ^ Math.imul(this.nextU32(), 0x9e3779b1));
  }

  state(): RngState {
    return { s: [this.s[0]!, this.s[1]!, this.s[2]!, this.s[3]!], spare: this.spare };
  }

  setState(state: RngState): void {
    this.s.set(state.s);
    this.spare = state.spare;
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
