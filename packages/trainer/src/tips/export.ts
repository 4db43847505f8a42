import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { writeFileAtomic } from '@tips/runtime';
import { saveVisionCheckpoint } from '@tips/vit-core';
import { saveTextCheckpoint } from '@tips/text-encoder';
import type { TipsModel } from './model';

/** Files of an exported TIPS model (what `tips eval`, `tips embed` and the SDK read). */
export interface ExportedTips {
  dir: string;
  vision: string;
  text: string;
  tokenizer: string;
  meta: string;
}

/**
 * Writes the student's towers in our formats (safetensors + config metadata; official names and
 * layouts), the tokenizer, and tips.json (temperature, run config) into `dir`. The text file also
 * carries `temperature` = 1 / logit scale, as the official text checkpoints do.
 */
export async function exportTips(model: TipsModel, dir: string, tokenizerPath: string): Promise<ExportedTips> {
  await mkdir(dir, { recursive: true });
  const scale = tf.tidy(() => model.logitScale.value().dataSync()[0]!);
  const files: ExportedTips = {
    dir,
    vision: join(dir, 'vision.safetensors'),
    text: join(dir, 'text.safetensors'),
    tokenizer: join(dir, 'tokenizer.model'),
    meta: join(dir, 'tips.json'),
  };
  await saveVisionCheckpoint(model.vision, files.vision);
  model.text.temperature = 1 / scale;
  await saveTextCheckpoint(model.text, files.text);
  await copyFile(tokenizerPath, files.tokenizer);
  await writeFileAtomic(
    files.meta,
    JSON.stringify({ format: 'tips-ts.model/1', logitScale: scale, temperature: 1 / scale, vision: model.vision.config, text: model.text.config, config: model.config }, null, 2),
  );
  return files;
}
