import { existsSync, readFileSync } from 'node:fs';
import { CheckpointError } from '@tips/runtime';
import { parseHfTextConfig, type HfTextConfig } from './hf-fields';

export type { HfTextConfig };

/** Reads the text-tower fields of an HF config (a parsed object or a path); null when the path does not exist. */
export function readHfTextConfig(source: string | Record<string, unknown>): HfTextConfig | null {
  if (typeof source !== 'string') return parseHfTextConfig(source);
  if (!existsSync(source)) return null;
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(readFileSync(source, 'utf8')) as Record<string, unknown>;
  } catch (e) {
    throw new CheckpointError(`${source}: not valid JSON (${(e as Error).message}); pass the config.json published with the safetensors weights`);
  }
  return parseHfTextConfig(json);
}
