import { ParamStore, SafetensorsReader, CheckpointError, type ParamSpec } from '@tips/runtime';
import type { Head } from './head';

export const HEAD_FORMAT = 'tips-ts.head';

/** Saves a head alone (safetensors with its kind and config in the metadata). */
export async function saveHead(head: Head<unknown>, path: string): Promise<void> {
  await head.params.save(path, { 'tips.format': HEAD_FORMAT, 'tips.head.kind': head.kind, 'tips.head.config': JSON.stringify(head.config()) });
}

/** Reads a saved head's kind and config (to pick the factory) without loading tensors. */
export async function readHeadInfo(path: string): Promise<{ kind: string; config: Record<string, unknown> }> {
  const r = await SafetensorsReader.open(path);
  try {
    const meta = r.metadata();
    if (meta['tips.format'] !== HEAD_FORMAT) throw new CheckpointError(`${path} is not a saved head (format ${meta['tips.format'] ?? 'none'})`);
    return { kind: meta['tips.head.kind']!, config: JSON.parse(meta['tips.head.config'] ?? '{}') as Record<string, unknown> };
  } finally {
    await r.close();
  }
}

/** Loads a head's parameters for the given specs (the factory rebuilds the head around them). */
export async function loadHeadParams(path: string, specs: ParamSpec[], trainable = true): Promise<ParamStore> {
  return ParamStore.loadFile(path, specs, { trainable, ignore: () => false });
}
