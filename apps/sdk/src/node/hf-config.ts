import { ModelLoadError } from '../errors';
import { loadModule } from '@tips/runtime/core';

/**
 * The TIPSv2 Hugging Face `config.json` for a checkpoint path: `explicit` when given, else the
 * config.json beside the weights when it exists, else undefined.
 */
export async function readHfConfigBeside(checkpointPath: string, explicit?: string): Promise<Record<string, unknown> | undefined> {
  const fs = await loadModule<typeof import('node:fs/promises')>('node:fs/promises');
  const path = await loadModule<typeof import('node:path')>('node:path');
  const file = explicit ?? path.join(path.dirname(checkpointPath), 'config.json');
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (e) {
    if (explicit) throw new ModelLoadError(`the config file ${file} cannot be read (${(e as Error).message})`, { cause: e });
    return undefined;
  }
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch (e) {
    throw new ModelLoadError(`${file} is not valid JSON (${(e as Error).message}); pass the TIPSv2 config.json or leave it out`, { cause: e });
  }
}
