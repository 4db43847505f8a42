import type { Granularity } from '../prompts';
import type { JobRecord } from './record';

/** Provenance written with every caption. */
export interface CaptionProvenance {
  backend: string;
  model: string;
  /** Granularities, in the order of `synthetic_caption` when it is an array. */
  granularity: Granularity[];
  /** Prompt per granularity (null for backends without prompts). */
  prompt: (string | null)[];
  /** Index of the record in the manifest (merge restores the manifest order with it). */
  source_index: number;
}

export const PROVENANCE_FIELD = 'caption_provenance';

/**
 * The output line of a captioned record: the input record unchanged, plus `synthetic_caption`
 * (a string for one granularity, an array in granularity order for several — the form
 * @tips/data reads for TIPSv2 multi-granularity training) and `caption_provenance`.
 */
export function outputRecord(record: JobRecord, captions: string[], provenance: Omit<CaptionProvenance, 'source_index'>): Record<string, unknown> {
  return {
    ...record.raw,
    synthetic_caption: captions.length === 1 ? captions[0]! : captions,
    [PROVENANCE_FIELD]: { ...provenance, source_index: record.index } satisfies CaptionProvenance,
  };
}

/** The id of an output line (the same rule as for manifest records). */
export function outputId(value: Record<string, unknown>): string | undefined {
  if (value.id !== undefined) return String(value.id);
  const p = value[PROVENANCE_FIELD] as Partial<CaptionProvenance> | undefined;
  return p?.source_index !== undefined ? String(p.source_index) : undefined;
}
