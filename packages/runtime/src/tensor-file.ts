import type { DType, TensorData } from './dtype';

/** Shape and dtype of one tensor in a file, known without reading its data. */
export interface TensorInfo {
  name: string;
  dtype: DType;
  shape: number[];
}

/**
 * A tensor file opened for random access (npz or safetensors). Tensors are read one at a time so
 * that a large checkpoint never needs a second full copy in memory. The caller owns the returned
 * arrays; call close() when done.
 */
export interface TensorFileReader {
  readonly path: string;
  readonly format: 'npz' | 'safetensors';
  keys(): string[];
  has(key: string): boolean;
  info(key: string): Promise<TensorInfo>;
  read(key: string): Promise<TensorData>;
  /** Free-form string metadata (safetensors `__metadata__`; empty for npz). */
  metadata(): Record<string, string>;
  close(): Promise<void>;
}
