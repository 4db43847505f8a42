import { CheckpointError } from '@tips/runtime/core';

/** Metadata keys of our own checkpoint format: safetensors with the official names and layouts. */
export const TEXT_FORMAT_KEY = 'tips.format';
export const TEXT_FORMAT = 'tips-ts.text';
export const TEXT_CONFIG_KEY = 'tips.config';

/** Keys an official text checkpoint may hold besides parameters (run_text_encoder_inference.py pops both). */
export const TEMPERATURE_KEYS = ['temperature', 'temperature_contrastive'] as const;

/** The contrastive temperature stored under `key`: one finite number, or a CheckpointError. */
export function temperatureValue(name: string, key: string, values: ArrayLike<number>): number {
  if (values.length !== 1 || !Number.isFinite(values[0]!)) {
    throw new CheckpointError(`${name}: ${key} should be one finite number, found ${values.length} value(s)`);
  }
  return values[0]!;
}
