import { openTensorFile, toFloat32, type TensorFileReader } from '@tips/runtime';
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
    let prefix: string;
    try {
      prefix = prefixOf(reader);
    } catch (e) {
      throw new ModelLoadError((e as Error).message, { cause: e });
    }
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

/** The prefix in front of the image tower's keys ('' for official files, e.g. 'vision_encoder.' in combined ones). */
export function visionPrefix(reader: TensorFileReader): string {
  const keys = reader.keys();
  const hit = keys.find((k) => k === 'pos_embed' || k.endsWith('.pos_embed'));
  if (hit === undefined) {
    throw new ModelLoadError(`${reader.path} has no 'pos_embed' tensor, so it is not an image-tower checkpoint (keys start: ${keys.slice(0, 6).join(', ')}); for a text tower use --text`);
  }
  return hit.slice(0, hit.length - 'pos_embed'.length);
}
