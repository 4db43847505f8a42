import * as tf from '@tensorflow/tfjs-core';
import { ParallelError, type FlatLayout } from './layout';
import type { WeightSet } from './module-api';

/** WeightSet over the pool's shared weight buffer; tensors are made once per version. */
export class SharedWeights implements WeightSet {
  private current = -1;
  private readonly index = new Map<string, number>();
  private readonly cache = new Map<string, tf.Tensor>();

  constructor(
    private readonly layout: FlatLayout,
    private readonly flat: Float32Array,
  ) {
    layout.names.forEach((n, i) => this.index.set(n, i));
  }

  get version(): number {
    return this.current;
  }

  get names(): readonly string[] {
    return this.layout.names;
  }

  /** Moves to weights version `v`, freeing the tensors made for the previous one. */
  setVersion(v: number): void {
    if (v === this.current) return;
    this.release();
    this.current = v;
  }

  private at(name: string): number {
    const i = this.index.get(name);
    if (i === undefined) throw new ParallelError(`no parameter '${name}' in the pool's layout (${this.layout.names.length} parameters)`);
    return i;
  }

  shape(name: string): number[] {
    return [...this.layout.shapes[this.at(name)]!];
  }

  array(name: string): Float32Array {
    const i = this.at(name);
    return this.flat.subarray(this.layout.offsets[i]!, this.layout.offsets[i]! + this.layout.sizes[i]!);
  }

  tensor(name: string): tf.Tensor {
    let t = this.cache.get(name);
    if (!t) {
      // A private copy: some backends (cpu) keep the array they are given, and the shared buffer
      // changes under them at the next setWeights.
      t = tf.tensor(this.array(name).slice(), this.shape(name), 'float32');
      this.cache.set(name, t);
    }
    return t;
  }

  assign(variables: Map<string, tf.Variable> | Record<string, tf.Variable>): void {
    const entries = variables instanceof Map ? [...variables.entries()] : Object.entries(variables);
    for (const [name, v] of entries) if (this.index.has(name)) v.assign(this.tensor(name));
  }

  /** Frees the cached tensors (variables assigned from them keep their own reference). */
  release(): void {
    for (const t of this.cache.values()) t.dispose();
    this.cache.clear();
  }
}
