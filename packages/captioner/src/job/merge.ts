import { resolve } from 'node:path';
import { writeFileAtomic } from '@tips/runtime';
import { CaptionManifestError } from '../errors';
import { readJsonlObjects } from './jsonl-file';
import { manifestRecords } from './manifest-records';
import { outputId, PROVENANCE_FIELD, type CaptionProvenance } from './output-record';

export interface MergeOptions {
  /** When given, the merge checks that every manifest record is present and reports the missing ids. */
  manifest?: string;
  /** Throw when records are missing (default false: report them). */
  requireComplete?: boolean;
}

export interface MergeSummary {
  dest: string;
  records: number;
  /** Per input: lines read. */
  perInput: { path: string; records: number }[];
  /** Ids found in more than one line (the first occurrence is kept). */
  duplicates: string[];
  /** Manifest ids with no caption (only when `manifest` is given). */
  missing: string[];
}

/**
 * Merges the outputs of sharded caption jobs into one JSONL file in manifest order (by
 * `caption_provenance.source_index`), keeping one line per id. Partial last lines (a killed shard)
 * are ignored. Written atomically.
 */
export async function mergeCaptionShards(outputs: readonly string[], dest: string, options: MergeOptions = {}): Promise<MergeSummary> {
  if (outputs.length === 0) throw new CaptionManifestError('mergeCaptionShards: no shard outputs given.');
  const byId = new Map<string, { index: number; text: string }>();
  const duplicates: string[] = [];
  const perInput: MergeSummary['perInput'] = [];
  for (const path of outputs) {
    const lines = await readJsonlObjects(resolve(path));
    perInput.push({ path: resolve(path), records: lines.length });
    for (const { line, value } of lines) {
      const id = outputId(value);
      const index = (value[PROVENANCE_FIELD] as Partial<CaptionProvenance> | undefined)?.source_index;
      if (id === undefined || typeof index !== 'number') {
        throw new CaptionManifestError(`${path} line ${line} has no id or ${PROVENANCE_FIELD}.source_index: it is not a tips caption output.`);
      }
      if (byId.has(id)) duplicates.push(id);
      else byId.set(id, { index, text: JSON.stringify(value) });
    }
  }
  let missing: string[] = [];
  if (options.manifest) {
    for await (const r of manifestRecords(options.manifest)) if (!byId.has(r.id)) missing.push(r.id);
    if (missing.length && options.requireComplete) {
      throw new CaptionManifestError(
        `${missing.length} manifest record(s) have no caption in the shard outputs (first: ${missing.slice(0, 5).join(', ')}): re-run the shards (they resume) before merging.`,
      );
    }
  } else missing = [];
  const rows = [...byId.values()].sort((a, b) => a.index - b.index);
  await writeFileAtomic(resolve(dest), rows.map((r) => `${r.text}\n`).join(''));
  return { dest: resolve(dest), records: rows.length, perInput, duplicates, missing };
}
