import { ParallelError } from './layout';
import type { UpdateSegment } from './module-api';

export interface FlatAdamOptions {
  lr: number;
  beta1?: number;
  beta2?: number;
  eps?: number;
  /** Decoupled weight decay (AdamW) coefficient; 0 = plain Adam. */
  weightDecay?: number;
  /** Parameters that get no weight decay (biases, norms, tokens …); default: none excluded. */
  noDecay?: (name: string) => boolean;
}

/**
 * Adam / AdamW over flat float32 segments, as torch.optim.Adam / AdamW compute it
 * (m̂ / (√v̂ + ε) with bias corrections; AdamW decays w ← w·(1 − lr·wd) first). Holds the moments of
 * one segment; meant for a gradient module's applyUpdate, where each worker owns one segment of
 * the parameters, so the optimiser runs in parallel and its state is split across the workers.
 */
export class FlatAdam {
  private m: Float32Array | null = null;
  private v: Float32Array | null = null;
  private t = 0;
  private start = -1;
  lr: number;
  private readonly beta1: number;
  private readonly beta2: number;
  private readonly eps: number;
  private readonly weightDecay: number;
  private readonly noDecay: (name: string) => boolean;

  constructor(options: FlatAdamOptions) {
    this.lr = options.lr;
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.999;
    this.eps = options.eps ?? 1e-8;
    this.weightDecay = options.weightDecay ?? 0;
    this.noDecay = options.noDecay ?? (() => false);
  }

  /** Number of updates applied so far. */
  get steps(): number {
    return this.t;
  }

  /** Applies one update to `segment.weights` in place from `segment.grads`. */
  update(segment: Pick<UpdateSegment, 'start' | 'weights' | 'grads' | 'parts'>): void {
    const n = segment.weights.length;
    if (!this.m) {
      this.m = new Float32Array(n);
      this.v = new Float32Array(n);
      this.start = segment.start;
    } else if (this.m.length !== n || this.start !== segment.start) {
      throw new ParallelError(`FlatAdam holds the moments of segment [${this.start}, ${this.start + this.m.length}); it was given [${segment.start}, ${segment.start + n})`);
    }
    this.t++;
    const { beta1: b1, beta2: b2, eps, lr } = this;
    const c1 = 1 - b1 ** this.t;
    const c2 = Math.sqrt(1 - b2 ** this.t);
    const stepSize = lr / c1;
    const m = this.m;
    const v = this.v!;
    const w = segment.weights;
    const g = segment.grads;
    if (this.weightDecay > 0) {
      const keep = 1 - lr * this.weightDecay;
      for (const p of segment.parts) {
        if (this.noDecay(p.name)) continue;
        for (let i = p.at, e = p.at + (p.to - p.from); i < e; i++) w[i] = w[i]! * keep;
      }
    }
    for (let i = 0; i < n; i++) {
      const gi = g[i]!;
      const mi = b1 * m[i]! + (1 - b1) * gi;
      const vi = b2 * v[i]! + (1 - b2) * gi * gi;
      m[i] = mi;
      v[i] = vi;
      w[i] = w[i]! - (stepSize * mi) / (Math.sqrt(vi) / c2 + eps);
    }
  }
}
