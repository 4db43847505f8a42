import { Rng } from '@tips/runtime';

/**
 * Picks one synthetic caption of a sample for this epoch (TIPSv2 multi-granularity captions: sample
 * among several captions of one image). Deterministic: Rng.derive(seed, 'caption', epoch, sampleId),
 * so a resumed run pairs the same caption with the same views. A single caption is returned as is.
 */
export function pickSyntheticCaption(captions: readonly string[], seed: number | string, epoch: number, sampleId: number | string): string {
  if (captions.length === 0) return '';
  if (captions.length === 1) return captions[0]!;
  return captions[Rng.derive(seed, 'caption', epoch, sampleId).int(captions.length)]!;
}
