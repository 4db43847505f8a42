import { FlatAdam } from './flat-adam';

// torch.optim.Adam / AdamW, written out for scalars (float64), as the reference.
function torchAdam(w0: number[], grads: number[][], lr: number, wd = 0, b1 = 0.9, b2 = 0.999, eps = 1e-8): number[] {
  const w = [...w0];
  const m = w.map(() => 0);
  const v = w.map(() => 0);
  grads.forEach((g, t0) => {
    const t = t0 + 1;
    for (let i = 0; i < w.length; i++) {
      w[i] = w[i]! * (1 - lr * wd);
      m[i] = b1 * m[i]! + (1 - b1) * g[i]!;
      v[i] = b2 * v[i]! + (1 - b2) * g[i]! ** 2;
      const mh = m[i]! / (1 - b1 ** t);
      const vh = v[i]! / (1 - b2 ** t);
      w[i] = w[i]! - (lr * mh) / (Math.sqrt(vh) + eps);
    }
  });
  return w;
}

describe('FlatAdam', () => {
  it('follows torch Adam and AdamW (decay skipped where asked) over several steps', () => {
    const w0 = [0.5, -1, 2, 0.25];
    const grads = [
      [0.1, -0.2, 0.3, 1e-4],
      [0.05, 0.2, -0.1, 2e-4],
      [-0.3, 0.1, 0.0, -1e-4],
    ];
    for (const wd of [0, 0.05]) {
      const opt = new FlatAdam({ lr: 0.01, weightDecay: wd, noDecay: (n) => n === 'bias' });
      const w = Float32Array.from(w0);
      const parts = [
        { name: 'weight', from: 0, to: 3, at: 0 },
        { name: 'bias', from: 0, to: 1, at: 3 },
      ];
      for (const g of grads) opt.update({ start: 0, weights: w, grads: Float32Array.from(g), parts });
      const wantDecayed = torchAdam(w0.slice(0, 3), grads.map((g) => g.slice(0, 3)), 0.01, wd);
      const wantBias = torchAdam([w0[3]!], grads.map((g) => [g[3]!]), 0.01, 0);
      [...wantDecayed, ...wantBias].forEach((x, i) => expect(w[i]).toBeCloseTo(x, 6));
      expect(opt.steps).toBe(3);
    }
  });

  it('refuses a different segment than the one it holds moments for', () => {
    const opt = new FlatAdam({ lr: 0.1 });
    opt.update({ start: 0, weights: new Float32Array(2), grads: new Float32Array(2), parts: [] });
    expect(() => opt.update({ start: 2, weights: new Float32Array(2), grads: new Float32Array(2), parts: [] })).toThrow(/segment \[0, 2\)/);
  });
});
