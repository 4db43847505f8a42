import { CheckpointError } from '@tips/runtime/core';
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

/** The text-tower fields of a parsed TIPSv2 config.json (no file access: browsers pass the object). */
export function parseHfTextConfig(json: Record<string, unknown>): HfTextConfig {
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
