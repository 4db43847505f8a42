import * as tf from '@tensorflow/tfjs-core';
import { CheckpointError } from './errors';
import { numElements, toFloat32 } from './dtype';
import type { TensorFileReader } from './tensor-file';
import { openTensorFile } from './open-tensor-file';
import { writeSafetensors, type TensorToWrite } from './safetensors';

export { CheckpointError };

/**
 * One parameter of a model: its name in the checkpoint (PyTorch state-dict name), its shape in
 * memory, and how the file stores it. `transpose` marks Linear weights: the file holds PyTorch's
 * [out, in], memory holds [in, out] so that forward passes use untransposed matmuls.
 */
export interface ParamSpec {
  name: string;
  shape: number[];
  transpose?: boolean;
  /**
   * Shape in the file when it differs from the in-memory shape by more than a 2-D transpose
   * (e.g. a Conv2d patch embedding [D, 3, 14, 14] held in memory as a [588, D] matrix). Same
   * number of elements; with `transpose`, the file data is read as the [shape[1], shape[0]] matrix.
   */
  fileShape?: number[];
}

export function fileShape(spec: ParamSpec): number[] {
  if (spec.fileShape) return [...spec.fileShape];
  return spec.transpose ? [spec.shape[1]!, spec.shape[0]!] : [...spec.shape];
}

function transpose2d(data: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(data.length);
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    for (let c = 0; c < cols; c++) out[c * rows + r] = data[base + c]!;
  }
  return out;
}

export interface LoadOptions {
  /** Prefix in front of every key in the file (e.g. `image_encoder.`). */
  prefix?: string;
  /** Keys that may be present in the file without being parameters (e.g. `temperature`). */
  ignore?: (key: string) => boolean;
  /** Whether the variables are trainable (default true). */
  trainable?: boolean;
}

/**
 * The parameters of a model as named tf.Variables. Owns its variables: call dispose() when done.
 */
export class ParamStore {
  private constructor(
    readonly specs: ParamSpec[],
    private readonly vars: Map<string, tf.Variable>,
  ) {}

  /** Creates parameters from an initialiser (returns C-order values in the in-memory shape). */
  static init(specs: readonly ParamSpec[], init: (spec: ParamSpec) => Float32Array, trainable = true): ParamStore {
    const vars = new Map<string, tf.Variable>();
    for (const s of specs) {
      const values = init(s);
      if (values.length !== numElements(s.shape)) throw new RangeError(`init of ${s.name}: ${values.length} values for shape ${JSON.stringify(s.shape)}`);
      vars.set(s.name, variableFrom(values, s.shape, trainable, s.name));
    }
    return new ParamStore([...specs], vars);
  }

  /**
   * Checks a tensor file against the specs without reading any data: every expected key present with
   * the expected shape, no unexpected key. Throws CheckpointError listing every problem.
   */
  static async check(reader: TensorFileReader, specs: readonly ParamSpec[], options: LoadOptions = {}): Promise<void> {
    const prefix = options.prefix ?? '';
    const missing: string[] = [];
    const mismatched: { name: string; expected: number[]; found: number[] }[] = [];
    const expected = new Set<string>();
    for (const s of specs) {
      const key = prefix + s.name;
      expected.add(key);
      if (!reader.has(key)) {
        missing.push(key);
        continue;
      }
      const info = await reader.info(key);
      const want = fileShape(s);
      if (info.shape.length !== want.length || info.shape.some((d, i) => d !== want[i])) {
        mismatched.push({ name: key, expected: want, found: info.shape });
      }
    }
    const unexpected = reader
      .keys()
      .filter((k) => k.startsWith(prefix) && !expected.has(k) && !(options.ignore?.(k.slice(prefix.length)) ?? false));
    if (missing.length || unexpected.length || mismatched.length) {
      const parts: string[] = [];
      if (missing.length) parts.push(`missing ${missing.length} key(s): ${list(missing)}`);
      if (unexpected.length) parts.push(`unexpected ${unexpected.length} key(s): ${list(unexpected)}`);
      if (mismatched.length) {
        parts.push(
          `wrong shape for ${mismatched.length} key(s): ${list(mismatched.map((m) => `${m.name} expected ${JSON.stringify(m.expected)} found ${JSON.stringify(m.found)}`))}`,
        );
      }
      throw new CheckpointError(
        `${reader.path} does not fit this model: ${parts.join('; ')}. Check the variant/preset you chose matches the checkpoint.`,
        missing,
        unexpected,
        mismatched,
      );
    }
  }

  /**
   * Loads parameters from an open tensor file, one tensor at a time (never a second full copy of
   * the checkpoint in memory). Validates the whole file first (see check()).
   */
  static async load(reader: TensorFileReader, specs: readonly ParamSpec[], options: LoadOptions = {}): Promise<ParamStore> {
    await ParamStore.check(reader, specs, options);
    const prefix = options.prefix ?? '';
    const vars = new Map<string, tf.Variable>();
    try {
      for (const s of specs) {
        const t = await reader.read(prefix + s.name);
        let values = toFloat32(t);
        if (values.some((v) => !Number.isFinite(v))) {
          throw new CheckpointError(`${reader.path}: ${prefix + s.name} holds NaN or infinite values; the checkpoint is corrupt`);
        }
        if (s.transpose) values = transpose2d(values, s.shape[1]!, s.shape[0]!);
        vars.set(s.name, variableFrom(values, s.shape, options.trainable ?? true, s.name));
      }
    } catch (e) {
      for (const v of vars.values()) v.dispose();
      throw e;
    }
    return new ParamStore([...specs], vars);
  }

  /** Opens a file (npz or safetensors, sniffed) and loads from it. */
  static async loadFile(path: string | Uint8Array, specs: readonly ParamSpec[], options: LoadOptions = {}): Promise<ParamStore> {
    const reader = await openTensorFile(path);
    try {
      return await ParamStore.load(reader, specs, options);
    } finally {
      await reader.close();
    }
  }

  names(): string[] {
    return this.specs.map((s) => s.name);
  }

  has(name: string): boolean {
    return this.vars.has(name);
  }

  /** The variable named `name` (owned by the store: do not dispose). */
  get(name: string): tf.Variable {
    const v = this.vars.get(name);
    if (!v) throw new CheckpointError(`no parameter named '${name}'`);
    return v;
  }

  /** All variables by name (owned by the store). */
  variables(): Map<string, tf.Variable> {
    return this.vars;
  }

  /** Total number of scalar parameters. */
  count(): number {
    let n = 0;
    for (const s of this.specs) n += numElements(s.shape);
    return n;
  }

  /** Tensors to write in the file layout (Linear weights back to [out, in]), produced one at a time. */
  toTensorsToWrite(prefix = ''): TensorToWrite[] {
    return this.specs.map((s) => ({
      name: prefix + s.name,
      dtype: 'float32' as const,
      shape: fileShape(s),
      data: () => {
        const values = this.get(s.name).dataSync() as Float32Array;
        return s.transpose ? transpose2d(values, s.shape[0]!, s.shape[1]!) : values;
      },
    }));
  }

  /** Saves as safetensors (atomically), with string metadata such as a JSON config. */
  async save(path: string, metadata: Record<string, string> = {}): Promise<void> {
    await writeSafetensors(path, this.toTensorsToWrite(), metadata);
  }

  /** Copies values from another store with the same specs (e.g. teacher ← student). */
  assign(other: ParamStore): void {
    for (const s of this.specs) this.get(s.name).assign(other.get(s.name));
  }

  dispose(): void {
    for (const v of this.vars.values()) v.dispose();
    this.vars.clear();
  }
}

let counter = 0;
function uniqueName(name: string): string {
  counter += 1;
  return `${name}#${counter}`;
}

/** A variable holding `values` (the temporary initial tensor is released: tf.variable shares its data). */
function variableFrom(values: Float32Array, shape: number[], trainable: boolean, name: string): tf.Variable {
  return tf.tidy(() => tf.variable(tf.tensor(values, shape, 'float32'), trainable, uniqueName(name)));
}

function list(items: string[]): string {
  return items.length > 12 ? `${items.slice(0, 12).join(', ')}, … (${items.length - 12} more)` : items.join(', ');
}
