import * as tf from '@tensorflow/tfjs-core';
import { LossError } from '../errors';
import { expectInt, formatShape } from '../util/check';
import { normalFrom, randomFrom, type RandomSource } from '../util/random';
import { gelu, l2Normalize, linear } from '../util/ops';

export interface DinoHeadOptions {
  /** Width of the backbone features fed in (the ViT width). */
  inDim: number;
  /** Number of prototypes K (DINOv2 default 65536). */
  outDim: number;
  /** MLP hidden width (default 2048, DINO/DINOv2). */
  hiddenDim?: number;
  /** Bottleneck width before the prototypes (default 256). */
  bottleneckDim?: number;
  /** Number of Linear layers in the MLP (default 3; 1 = a single in→bottleneck Linear). */
  nlayers?: number;
  /** Whether the MLP's Linears have biases (default true). */
  bias?: boolean;
  /**
   * Keep the prototypes' norms fixed at 1 (DINO v1 `norm_last_layer=True`): `last_layer.weight_g` is
   * created non-trainable. Default false (DINOv2 trains it).
   */
  freezeWeightG?: boolean;
  /** Randomness for initialisation: a seed, or a source of uniforms in [0, 1). Not needed by `fromTorch`. */
  seed?: number;
  random?: RandomSource;
  /** Prefix for the tfjs variable names (`<name>/mlp.0.weight`, …); must be unique among live variables. */
  name?: string;
  /** Whether the variables are trainable (default true; false for an EMA teacher). */
  trainable?: boolean;
}

/**
 * An array as a tensor file reader gives it: a shape and row-major values (e.g. @tips/runtime's
 * `TensorData`). `dtype`, when given, must be a real-number type whose values `data` holds directly
 * (float32, float64, integers); float16 stored as raw bits must be converted first.
 */
export interface ArrayLike2 {
  shape: readonly number[];
  data: ArrayLike<number | bigint>;
  dtype?: string;
}

/** A tensor or plain array per name. */
export type NamedArrays = Record<string, tf.Tensor | ArrayLike2> | Map<string, tf.Tensor | ArrayLike2>;

let headCount = 0;

/**
 * The DINO/DINOv2 projection head (`dinov2/layers/dino_head.py` DINOHead):
 * MLP in→hidden→…→bottleneck with GELU between the Linears, L2-normalisation, then the
 * weight-normalised prototype layer without bias (weight = g·v/‖v‖ per prototype), K outputs.
 *
 * Parameters are `tf.Variable`s in `params`, keyed by the DINOv2 state-dict names
 * (`mlp.0.weight`, `mlp.0.bias`, `mlp.2.*`, `mlp.4.*`, `last_layer.weight_g`, `last_layer.weight_v`),
 * so that a trainer can EMA, checkpoint and freeze them by name. In memory every 2-D parameter is
 * stored transposed from PyTorch ([in, out]; `weight_g` as [1, K]) so that the forward pass uses
 * untransposed matmuls; `fromTorch`/`loadTorch` and `toTorch` convert. Initialisation follows
 * DINOv2: Linear weights N(0, 0.02²) truncated to [−2, 2], biases 0, `weight_g` = 1, `weight_v` as
 * PyTorch's nn.Linear default (U(±1/√bottleneck)).
 *
 * The head owns its variables; call `dispose()` to free them.
 */
export class DinoHead {
  readonly params = new Map<string, tf.Variable>();
  readonly inDim: number;
  readonly outDim: number;
  readonly hiddenDim: number;
  readonly bottleneckDim: number;
  readonly nlayers: number;
  readonly bias: boolean;
  readonly name: string;

  /** `init` 'zeros' skips the random initialisation (and the need for a seed) when weights are loaded next. */
  constructor(options: DinoHeadOptions, init: 'random' | 'zeros' = 'random') {
    this.inDim = options.inDim;
    this.outDim = options.outDim;
    this.hiddenDim = options.hiddenDim ?? 2048;
    this.bottleneckDim = options.bottleneckDim ?? 256;
    this.nlayers = options.nlayers ?? 3;
    this.bias = options.bias ?? true;
    expectInt(this.inDim, 1, 'DinoHead inDim');
    expectInt(this.outDim, 1, 'DinoHead outDim');
    expectInt(this.hiddenDim, 1, 'DinoHead hiddenDim');
    expectInt(this.bottleneckDim, 1, 'DinoHead bottleneckDim');
    expectInt(this.nlayers, 1, 'DinoHead nlayers');
    this.name = options.name ?? `dino_head_${headCount++}`;
    const random = init === 'random' ? randomFrom(options, 'DinoHead initialisation') : null;
    const trainable = options.trainable ?? true;
    for (const spec of this.specs()) {
      const size = spec.shape.reduce((a, b) => a * b, 1);
      const values = new Float32Array(size);
      if (random) fill(values, spec.init, random, this.bottleneckDim);
      const varTrainable = trainable && !(spec.name === 'last_layer.weight_g' && options.freezeWeightG);
      this.params.set(spec.name, tf.tidy(() => tf.variable(tf.tensor(values, [...spec.shape]), varTrainable, `${this.name}/${spec.name}`)));
    }
  }

  /**
   * A head shaped after PyTorch-layout arrays (e.g. a DINOv2 checkpoint's `dino_head.*` entries read
   * with a tensor file reader): sizes are taken from the arrays, values loaded as `loadTorch` does.
   * `prefix` is stripped from the keys (e.g. 'dino_head.'). The caller disposes the head.
   */
  static fromTorch(arrays: NamedArrays, options: { prefix?: string; name?: string; trainable?: boolean; freezeWeightG?: boolean } = {}): DinoHead {
    const prefix = options.prefix ?? '';
    const get = (k: string) => entries(arrays).find(([n]) => n === prefix + k)?.[1];
    const shapeOf = (k: string) => {
      const a = get(k);
      if (!a) throw new LossError('checkpoint', `DinoHead.fromTorch: no array '${prefix}${k}'; pass the head's state-dict entries (and the right prefix)`);
      return a.shape;
    };
    const v = shapeOf('last_layer.weight_v');
    const linears = entries(arrays)
      .map(([n]) => n.slice(prefix.length))
      .filter((n) => /^mlp\.(\d+\.)?weight$/.test(n))
      .map((n) => (n === 'mlp.weight' ? 0 : Number(n.split('.')[1])))
      .sort((a, b) => a - b);
    const nlayers = linears.length;
    if (nlayers === 0) throw new LossError('checkpoint', `DinoHead.fromTorch: no '${prefix}mlp.*.weight' arrays found`);
    const first = shapeOf(nlayers === 1 ? 'mlp.weight' : 'mlp.0.weight');
    const head = new DinoHead(
      {
        inDim: first[1]!,
        outDim: v[0]!,
        bottleneckDim: v[1]!,
        hiddenDim: nlayers === 1 ? v[1]! : first[0]!,
        nlayers,
        bias: get(nlayers === 1 ? 'mlp.bias' : 'mlp.0.bias') !== undefined,
        name: options.name,
        trainable: options.trainable,
        freezeWeightG: options.freezeWeightG,
      },
      'zeros',
    );
    try {
      head.loadTorch(arrays, { prefix });
    } catch (e) {
      head.dispose();
      throw e;
    }
    return head;
  }

  /** Parameter names, in-memory shapes and PyTorch shapes, in state-dict order. */
  specs(): { name: string; shape: number[]; torchShape: number[]; init: 'linear' | 'zero' | 'one' | 'v' }[] {
    const out: { name: string; shape: number[]; torchShape: number[]; init: 'linear' | 'zero' | 'one' | 'v' }[] = [];
    const dims = [this.inDim, ...Array(this.nlayers - 1).fill(this.hiddenDim), this.bottleneckDim] as number[];
    for (let i = 0; i < this.nlayers; i++) {
      const key = this.nlayers === 1 ? 'mlp' : `mlp.${2 * i}`;
      const [a, b] = [dims[i]!, dims[i + 1]!];
      out.push({ name: `${key}.weight`, shape: [a, b], torchShape: [b, a], init: 'linear' });
      if (this.bias) out.push({ name: `${key}.bias`, shape: [b], torchShape: [b], init: 'zero' });
    }
    out.push({ name: 'last_layer.weight_g', shape: [1, this.outDim], torchShape: [this.outDim, 1], init: 'one' });
    out.push({ name: 'last_layer.weight_v', shape: [this.bottleneckDim, this.outDim], torchShape: [this.outDim, this.bottleneckDim], init: 'v' });
    return out;
  }

  /** The trainable variables (for an optimiser's var list). */
  trainableVariables(): tf.Variable[] {
    return [...this.params.values()].filter((v) => v.trainable);
  }

  /**
   * Projects features x [..., inDim] to prototype logits [..., outDim]. Differentiable w.r.t. x and
   * the parameters. Returns a new tensor the caller disposes.
   */
  apply(x: tf.Tensor): tf.Tensor {
    if (x.rank < 1 || x.shape[x.rank - 1] !== this.inDim) {
      throw new LossError('shape', `DinoHead.apply: features ${formatShape(x.shape)} must end in inDim ${this.inDim}`);
    }
    return tf.tidy(() => {
      let h = x;
      for (let i = 0; i < this.nlayers; i++) {
        const key = this.nlayers === 1 ? 'mlp' : `mlp.${2 * i}`;
        h = linear(h, this.param(`${key}.weight`) as tf.Tensor2D, this.bias ? this.param(`${key}.bias`) : null);
        if (i < this.nlayers - 1) h = gelu(h);
      }
      h = l2Normalize(h);
      const v = this.param('last_layer.weight_v') as tf.Tensor2D;
      const g = this.param('last_layer.weight_g');
      // (h·v)·(g/‖v‖) = h·(g·v/‖v‖): weight norm applied to the K outputs, no K×bottleneck copy made.
      const colScale = tf.div(g, tf.sqrt(tf.sum(tf.square(v), 0, true)));
      return tf.mul(linear(h, v), tf.reshape(colScale, [this.outDim]));
    });
  }

  /**
   * Assigns PyTorch-layout arrays ([out, in] Linear weights, `weight_g` [K, 1], `weight_v` [K, bottleneck])
   * to the parameters. Every parameter must be present with its PyTorch shape; with `strict` (default),
   * keys under `prefix` that are not parameters are an error too. Tensors passed in are not disposed.
   */
  loadTorch(arrays: NamedArrays, options: { prefix?: string; strict?: boolean } = {}): void {
    const prefix = options.prefix ?? '';
    const given = new Map(entries(arrays).filter(([n]) => n.startsWith(prefix)).map(([n, a]) => [n.slice(prefix.length), a]));
    const specs = this.specs();
    const missing = specs.filter((s) => !given.has(s.name)).map((s) => prefix + s.name);
    const unexpected = options.strict === false ? [] : [...given.keys()].filter((n) => !this.params.has(n)).map((n) => prefix + n);
    const mismatched = specs
      .filter((s) => given.has(s.name) && !sameShape(given.get(s.name)!.shape, s.torchShape))
      .map((s) => `${prefix}${s.name} is ${formatShape(given.get(s.name)!.shape)}, expected ${formatShape(s.torchShape)}`);
    if (missing.length || unexpected.length || mismatched.length) {
      const parts = [
        missing.length ? `missing: ${missing.join(', ')}` : '',
        unexpected.length ? `unexpected: ${unexpected.join(', ')} (pass strict: false to ignore)` : '',
        mismatched.length ? `wrong shape: ${mismatched.join('; ')}` : '',
      ].filter(Boolean);
      throw new LossError('checkpoint', `DinoHead.loadTorch (in ${this.inDim}, hidden ${this.hiddenDim}, bottleneck ${this.bottleneckDim}, K ${this.outDim}, ${this.nlayers} layers): ${parts.join('; ')}`);
    }
    tf.tidy(() => {
      for (const s of specs) {
        const a = given.get(s.name)!;
        const t = a instanceof tf.Tensor ? tf.cast(a, 'float32') : tf.tensor(toFloat32(a, prefix + s.name), [...a.shape]);
        this.param(s.name).assign(t.rank === 2 ? tf.transpose(t) : t);
      }
    });
  }

  /** The parameters in PyTorch layout as plain arrays (reads them from the backend synchronously). */
  toTorch(): Record<string, { dtype: 'float32'; shape: number[]; data: Float32Array }> {
    const out: Record<string, { dtype: 'float32'; shape: number[]; data: Float32Array }> = {};
    for (const s of this.specs()) {
      const p = this.param(s.name);
      const data = tf.tidy(() => (p.rank === 2 ? tf.transpose(p) : p).dataSync() as Float32Array);
      out[s.name] = { dtype: 'float32', shape: s.torchShape, data: Float32Array.from(data) };
    }
    return out;
  }

  dispose(): void {
    for (const v of this.params.values()) v.dispose();
    this.params.clear();
  }

  private param(name: string): tf.Variable {
    const v = this.params.get(name);
    if (!v) throw new LossError('value', `DinoHead ${this.name}: no parameter '${name}' (was the head disposed?)`);
    return v;
  }
}

function entries(arrays: NamedArrays): [string, tf.Tensor | ArrayLike2][] {
  return arrays instanceof Map ? [...arrays.entries()] : Object.entries(arrays);
}

function toFloat32(a: ArrayLike2, name: string): Float32Array {
  if (a.dtype !== undefined && !/^(float(32|64)|u?int(8|16|32|64)|bool)$/.test(a.dtype)) {
    throw new LossError('checkpoint', `DinoHead: '${name}' is ${a.dtype}; convert it to float32 first (e.g. @tips/runtime toFloat32)`);
  }
  return Float32Array.from(a.data as ArrayLike<number>, Number);
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

function fill(values: Float32Array, init: 'linear' | 'zero' | 'one' | 'v', random: RandomSource, bottleneck: number): void {
  if (init === 'zero') return;
  if (init === 'one') {
    values.fill(1);
    return;
  }
  if (init === 'v') {
    // nn.Linear default (kaiming_uniform with a=√5): U(−1/√fan_in, 1/√fan_in).
    const bound = 1 / Math.sqrt(bottleneck);
    for (let i = 0; i < values.length; i++) values[i] = (2 * random() - 1) * bound;
    return;
  }
  // timm trunc_normal_(std=0.02), truncation at the absolute bounds [−2, 2].
  for (let i = 0; i < values.length; i++) {
    let z: number;
    do z = 0.02 * normalFrom(random);
    while (z < -2 || z > 2);
    values[i] = z;
  }
}
