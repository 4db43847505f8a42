import { TipsError } from '@tips/runtime/core';
import type { VitConfig } from './config';

/** An image-tower configuration that cannot describe a working ViT (e.g. heads not dividing the width). */
export class VitConfigError extends TipsError {
  constructor(message: string) {
    super('VIT_CONFIG', message);
  }
}

const POSITIVE_INTS = ['embedDim', 'depth', 'heads', 'mlpHidden', 'patchSize', 'posGrid'] as const;

/**
 * Checks an image-tower configuration once, where it is resolved, so that a bad one fails at once
 * with a VitConfigError naming the field and the fix instead of producing zero embeddings, a
 * RangeError in export or a "diverged" training run later. Returns the same object.
 */
export function validateVitConfig(config: VitConfig, where = 'image tower config'): VitConfig {
  for (const k of POSITIVE_INTS) {
    const v = config[k];
    if (!Number.isInteger(v) || v < 1) throw new VitConfigError(`${where}: ${k} must be a positive integer, got ${JSON.stringify(v)}`);
  }
  if (!Number.isInteger(config.registers) || config.registers < 0) {
    throw new VitConfigError(`${where}: registers must be an integer ≥ 0, got ${JSON.stringify(config.registers)}`);
  }
  if (config.embedDim % config.heads !== 0) {
    const divisors: number[] = [];
    for (let h = 1; h <= Math.min(config.embedDim, 64); h++) if (config.embedDim % h === 0) divisors.push(h);
    throw new VitConfigError(
      `${where}: embedDim ${config.embedDim} is not a multiple of heads ${config.heads}; use a head count that divides the width (${divisors.join(', ')}) or change embedDim`,
    );
  }
  if (config.ffn !== 'mlp' && config.ffn !== 'swiglu') throw new VitConfigError(`${where}: ffn must be 'mlp' or 'swiglu', got ${JSON.stringify(config.ffn)}`);
  if (!(config.eps > 0)) throw new VitConfigError(`${where}: eps must be > 0, got ${JSON.stringify(config.eps)}`);
  return config;
}
