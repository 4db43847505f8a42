import type { TipsError } from '@tips/runtime';
import type { VitConfig } from '@tips/vit-core';

/**
 * Parses `--config '{"embedDim": 32, "depth": 2, "heads": 2}'` (image-tower overrides as a JSON
 * object); undefined when the option is absent. Bad input throws the command's own usage error.
 */
export function parseConfigOption(text: string | undefined, UsageError: new (message: string) => TipsError): Partial<VitConfig> | undefined {
  if (!text) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`--config is not valid JSON: ${(e as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new UsageError(`--config must be a JSON object such as '{"embedDim": 32, "depth": 2, "heads": 2}', not ${text}`);
  }
  return value as Partial<VitConfig>;
}
