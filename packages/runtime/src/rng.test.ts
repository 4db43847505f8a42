import { Rng } from './rng';

describe('Rng', () => {
  it('is deterministic for a seed and differs across seeds', () => {
    const a = new Rng(42);
    const b = new Rng(42);
    const c = new Rng(43);
    const xa = Array.from({ length: 5 }, () => a.nextU32());
    expect(Array.from({ length: 5 }, () => b.nextU32())).toEqual(xa);
    expect(Array.from({ length: 5 }, () => c.nextU32())).not.toEqual(xa);
  });

  it('resumes exactly from a saved state, including the Box–Muller spare', () => {
    const a = new Rng('seed');
    a.normal();
    const saved = JSON.parse(JSON.stringify(a.state()));
    const next = [a.normal(), a.uniform(), a.int(10)];
    const b = Rng.fromState(saved);
    expect([b.normal(), b.uniform(), b.int(10)]).toEqual(next);
  });

  it('has the moments of its distributions', () => {
    const r = new Rng(1);
    const n = 200000;
    let s = 0;
    let s2 = 0;
    let u = 0;
    for (let i = 0; i < n; i++) {
      const z = r.normal();
      s += z;
      s2 += z * z;
      u += r.uniform();
    }
    expect(Math.abs(s / n)).toBeLessThan(0.01);
    expect(Math.abs(s2 / n - 1)).toBeLessThan(0.02);
    expect(Math.abs(u / n - 0.5)).toBeLessThan(0.005);
  });

  it('derives independent streams from keys, and permutations are permutations', () => {
    const x = Rng.derive(7, 'views', 3).nextU32();
    expect(Rng.derive(7, 'views', 3).nextU32()).toBe(x);
    expect(Rng.derive(7, 'views', 4).nextU32()).not.toBe(x);
    const p = new Rng(3).permutation(50);
    expect([...p].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    for (let i = 0; i < 1000; i++) {
      const t = new Rng(i).truncatedNormal(0, 1);
      expect(Math.abs(t)).toBeLessThanOrEqual(2);
    }
  });
});
