import { existsSync, readFileSync } from 'node:fs';
import { CheckpointError } from '@tips/runtime';
import type { TextConfig } from '../model/config';

/** What a TIPSv2 Hugging Face `config.json` says about the text tower. */
export interface HfTextConfig {
  config: Partial<TextConfig>;
  temperature: number | null;
}

const FIELDS: [string, keyof TextConfig][] = [
  ['text_hidden_size', 'hiddenSize'],
  ['text_mlp_dim', 'mlpDim'],
  ['text_num_heads', 'numHeads'],
  ['text_num_layers', 'numLayers'],
  ['vocab_size', 'vocabSize'],
  ['max_len', 'maxLen'],
];

/** Reads the text-tower fields of an HF config (a parsed object or a path); null when the path does not exist. */
export function readHfTextConfig(source: string | Record<string, unknown>): HfTextConfig | null {
  let json: Record<string, unknown>;
  if (typeof source === 'string') {
    if (!existsSync(source)) return null;
    try {
      json = JSON.parse(readFileSync(source, 'utf8')) as Record<string, unknown>;
    } catch (e) {
      throw new CheckpointError(`${source}: not valid JSON (${(e as Error).message}); pass the config.json published with the safetensors weights`);
    }
  } else {
    json = source;
  }
  const config: Partial<TextConfig> = {};
  for (const [key, field] of FIELDS) {
    const v = json[key];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) {
      throw new CheckpointError(`config.json: ${key} must be a positive integer, got ${JSON.stringify(v)}`);
    }
    (config as Record<string, number>)[field] = v;
  }
  const t = json.temperature;
  return { config, temperature: typeof t === 'number' ? t : null };
}
