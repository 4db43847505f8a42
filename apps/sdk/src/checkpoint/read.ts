import { openTensorFile, toFloat32 } from '@tips/runtime';
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
 * Reads every tensor of an `.npz` or `.safetensors` checkpoint (a path in Node, or bytes anywhere)
 * through @tips/runtime's readers, converting float16/bfloat16/float64 to float32. Keys starting
 * with `prefix` are kept with the prefix removed; others are dropped.
 */
export async function readCheckpoint(src: string | Uint8Array | ArrayBuffer, options: { name?: string; prefix?: (keys: string[]) => string } = {}): Promise<CheckpointTensors> {
  const reader = await openTensorFile(src, options.name);
  try {
    const keys = reader.keys();
    const prefix = options.prefix ? options.prefix(keys) : '';
    const weights: WeightMap = new Map();
    for (const key of keys) {
      if (!key.startsWith(prefix)) continue;
      const t = await reader.read(key);
      weights.set(key.slice(prefix.length), { shape: t.shape, data: toFloat32(t) });
    }
    return { weights, metadata: reader.metadata(), format: reader.format, name: reader.path };
  } finally {
    await reader.close();
  }
}

/** The prefix in front of `anchor` in a checkpoint's keys ('' for official files, e.g. 'vision_encoder.' in combined ones). */
export function prefixOf(keys: string[], anchor: string, what: string): string {
  const hit = keys.find((k) => k === anchor || k.endsWith(`.${anchor}`));
  if (hit === undefined) {
    throw new ModelLoadError(`no '${anchor}' tensor in this checkpoint, so it is not ${what} (keys start: ${keys.slice(0, 6).join(', ')})`);
  }
  return hit.slice(0, hit.length - anchor.length);
}
