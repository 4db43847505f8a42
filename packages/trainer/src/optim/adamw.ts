import * as tf from '@tensorflow/tfjs-core';

export interface AdamWOptions {
  beta1?: number;
  beta2?: number;
  eps?: number;
}

/** Whether a parameter gets weight decay: matrices yes; biases, norms, LayerScale, tokens and embeddings tables no (DINOv2/open_clip convention). */
export function decays(name: string, shape: readonly number[]): boolean {
  if (shape.length < 2) return false;
  return !/(^|\.)(cls_token|register_tokens|mask_token|pos_embed|logit_scale|logit_bias)$/.test(name);
}

/**
 * AdamW with decoupled weight decay, as torch.optim.AdamW: p ← p·(1 − lr·wd), then
 * p ← p − lr·m̂/(√v̂ + eps) with bias-corrected moments. Moments are tf.Variables owned by the
 * optimiser (dispose()); they are saved and restored with the checkpoint for exact resume.
 */
export class AdamW {
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  /** Number of updates applied so far (bias correction uses it). */
  t = 0;
  private readonly m = new Map<string, tf.Variable>();
  private readonly v = new Map<string, tf.Variable>();

  constructor(options: AdamWOptions = {}) {
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.999;
    this.eps = options.eps ?? 1e-8;
  }

  private moment(store: Map<string, tf.Variable>, name: string, like: tf.Tensor): tf.Variable {
    let s = store.get(name);
    if (!s) {
      s = tf.tidy(() => tf.variable(tf.zerosLike(like), false));
      store.set(name, s);
    }
    return s;
  }

  /** Applies one update to `params` from `grads` (same names). Disposes nothing it does not own. */
  step(params: Map<string, tf.Variable>, grads: Map<string, tf.Tensor>, lr: number, weightDecay: number): void {
    this.t += 1;
    const bc1 = 1 - this.beta1 ** this.t;
    const bc2 = 1 - this.beta2 ** this.t;
    for (const [name, p] of params) {
      const g = grads.get(name);
      if (!g) continue;
      const m = this.moment(this.m, name, p);
      const v = this.moment(this.v, name, p);
      tf.tidy(() => {
        m.assign(tf.add(tf.mul(m, this.beta1), tf.mul(g, 1 - this.beta1)));
        v.assign(tf.add(tf.mul(v, this.beta2), tf.mul(tf.square(g), 1 - this.beta2)));
        const update = tf.div(tf.div(m, bc1), tf.add(tf.sqrt(tf.div(v, bc2)), this.eps));
        const wd = decays(name, p.shape) ? weightDecay : 0;
        const decayed = wd > 0 ? tf.mul(p, 1 - lr * wd) : p;
        p.assign(tf.sub(decayed, tf.mul(update, lr)));
      });
    }
  }

  /** Moment tensors by name (`m.<param>`, `v.<param>`), for checkpoints. Owned by the optimiser. */
  stateTensors(): Map<string, tf.Variable> {
    const out = new Map<string, tf.Variable>();
    for (const [k, t] of this.m) out.set(`m.${k}`, t);
    for (const [k, t] of this.v) out.set(`v.${k}`, t);
    return out;
  }

  /** Restores moments saved by stateTensors() (values are copied). */
  loadState(t: number, tensors: Map<string, tf.Tensor>): void {
    this.t = t;
    for (const [key, value] of tensors) {
      const [kind, ...rest] = key.split('.');
      const name = rest.join('.');
      const store = kind === 'm' ? this.m : kind === 'v' ? this.v : null;
      if (!store) continue;
      const existing = store.get(name);
      if (existing) existing.assign(value);
      else store.set(name, tf.tidy(() => tf.variable(value.clone(), false)));
    }
  }

  dispose(): void {
    for (const t of [...this.m.values(), ...this.v.values()]) t.dispose();
    this.m.clear();
    this.v.clear();
  }
}
