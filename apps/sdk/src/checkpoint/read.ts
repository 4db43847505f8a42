import { openTensorFile, TipsError, toFloat32, type TensorFileReader } from '@tips/runtime/core';
import { ModelLoadError } from '../errors';
import type { WeightMap } from '../onnx/weights';

/** The tensors of a checkpoint as float32, with the file's metadata. */
export interface CheckpointTensors {
  weights: WeightMap;
  metadata: Record<string, string>;
  format: 'npz' | 'safetensors';
  name: string;
}

/**
 * Runs `fn`, turning the typed errors of the libraries it calls (a file that is not a checkpoint,
 * a configuration that does not fit) into the SDK's ModelLoadError with the same message.
 */
export async function asModelLoadError<T>(fn: () => T | Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof TipsError && !(e instanceof ModelLoadError)) throw new ModelLoadError(e.message, { cause: e });
    throw e;
  }
}

/**
 * Reads the tensors of an `.npz` or `.safetensors` checkpoint (a path in Node, or bytes anywhere)
 * through @tips/runtime's readers, converting float16/bfloat16/float64 to float32. Only keys that
 * start with the prefix `prefixOf(reader)` finds are kept, with the prefix removed.
 */
export async function readCheckpoint(src: string | Uint8Array | ArrayBuffer, prefixOf: (reader: TensorFileReader) => string, name?: string): Promise<CheckpointTensors> {
  let reader: TensorFileReader;
  try {
    reader = await openTensorFile(src, name);
  } catch (e) {
    throw new ModelLoadError(`${name ?? (typeof src === 'string' ? src : 'checkpoint bytes')}: ${(e as Error).message}`, { cause: e });
  }
  try {
    const prefix = await asModelLoadError(() => prefixOf(reader));
    const weights: WeightMap = new Map();
    for (const key of reader.keys()) {
      if (!key.startsWith(prefix)) continue;
      const t = await reader.read(key);
      weights.set(key.slice(prefix.length), { shape: t.shape, data: toFloat32(t) });
    }
    return { weights, metadata: reader.metadata(), format: reader.format, name: reader.path };
  } finally {
    await reader.close();
  }
}
