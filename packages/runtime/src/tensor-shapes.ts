import type { TensorFileReader } from './tensor-file';

/**
 * What working out a model's configuration needs from a checkpoint, without reading tensor data:
 * which tensors it holds and their shapes, with the key prefix of one tower (e.g. `vision_encoder.`)
 * already removed. Made from an open tensor file (`tensorShapes`) or from tensors already in memory
 * (`mapShapes`), so that Node loaders and in-memory (browser) loaders share one resolver.
 */
export interface TensorShapes {
  /** The file's name, for messages. */
  readonly name: string;
  /** Every key, prefix removed. */
  keys(): readonly string[];
  has(key: string): boolean;
  /** Shape of a tensor that `has` reports (a promise for files: npz headers are read on demand). */
  shape(key: string): readonly number[] | Promise<readonly number[]>;
}

/** The tensors of an open file under `prefix` (keys without it). Reads headers only. */
export function tensorShapes(reader: TensorFileReader, prefix = ''): TensorShapes {
  return {
    name: reader.path,
    keys: () => reader.keys().flatMap((k) => (k.startsWith(prefix) ? [k.slice(prefix.length)] : [])),
    has: (key) => reader.has(prefix + key),
    shape: async (key) => (await reader.info(prefix + key)).shape,
  };
}

/** Tensors already in memory (a map from key to anything with a shape). */
export function mapShapes(name: string, tensors: ReadonlyMap<string, { readonly shape: readonly number[] }>): TensorShapes {
  return {
    name,
    keys: () => [...tensors.keys()],
    has: (key) => tensors.has(key),
    shape: (key) => {
      const t = tensors.get(key);
      if (!t) throw new Error(`${name}: no tensor '${key}' (check has() first)`);
      return t.shape;
    },
  };
}
