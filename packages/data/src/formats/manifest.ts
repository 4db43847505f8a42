import { access } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { writeFileAtomic } from '@tips/runtime';
import { z } from 'zod';
import { DatasetFormatError } from '../errors';
import { annotationShape, captionList, formatZodIssues } from './caption-fields';
import { readJsonLines } from './json-lines';

/**
 * One line of a JSONL manifest, as written on disk. Paths are relative to the manifest's folder or
 * absolute. Extra fields (e.g. the scenes' `objects`) are kept in `extra`.
 */
export const manifestLineSchema = z
  .object({
    image: z.string().min(1, 'must be a non-empty path'),
    ...annotationShape,
    mask: z.string().min(1).optional(),
    depth: z.string().min(1).optional(),
  })
  .passthrough();

export type ManifestLine = z.infer<typeof manifestLineSchema>;

/** A validated manifest record with absolute paths. */
export interface ManifestRecord {
  /** 0-based position among the manifest's records: the stable sample id used for seeds. */
  index: number;
  /** 1-based line number in the file (for messages). */
  line: number;
  /** `id` from the file, or the index as a string. */
  id: string;
  image: string;
  webCaption?: string;
  /** Empty when the line has no synthetic_caption. */
  syntheticCaptions: string[];
  label?: number | string;
  mask?: string;
  depth?: string;
  /** Fields not in the schema, as they were in the file. */
  extra: Record<string, unknown>;
}

export interface ReadManifestOptions {
  /**
   * Require synthetic_caption on every line (default true: what training needs). web_caption may be
   * absent: such an image-only record (the paper's Mapillary images) trains only the synthetic-caption
   * term. The captioner reads manifests that do not have synthetic captions yet: it passes false.
   */
  requireCaptions?: boolean;
  /** Check that every image file exists (default false: missing images are skipped and counted at load time). */
  checkFiles?: boolean;
}

const KNOWN = new Set(['image', 'web_caption', 'synthetic_caption', 'id', 'label', 'mask', 'depth']);

function resolvePath(base: string, p: string): string {
  return isAbsolute(p) ? p : resolve(base, p);
}

/** Validates one parsed JSON line; throws DatasetFormatError naming the file and line. */
export function parseManifestLine(json: unknown, where: { file: string; line: number; index: number }, opts: ReadManifestOptions = {}): ManifestRecord {
  const at = `${where.file} line ${where.line}`;
  const parsed = manifestLineSchema.safeParse(json);
  if (!parsed.success) throw new DatasetFormatError(`${at}: ${formatZodIssues(parsed.error)}`);
  const l = parsed.data;
  if (opts.requireCaptions ?? true) {
    if (l.synthetic_caption === undefined) {
      throw new DatasetFormatError(
        `${at}: missing synthetic_caption; training needs one on every record (run \`tips caption\` to add synthetic captions; web_caption may be left out for image-only records)`,
      );
    }
  }
  const base = dirname(where.file);
  const extra: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(l)) if (!KNOWN.has(k)) extra[k] = v;
  return {
    index: where.index,
    line: where.line,
    id: l.id !== undefined ? String(l.id) : String(where.index),
    image: resolvePath(base, l.image),
    webCaption: l.web_caption,
    syntheticCaptions: captionList(l.synthetic_caption),
    label: l.label,
    mask: l.mask !== undefined ? resolvePath(base, l.mask) : undefined,
    depth: l.depth !== undefined ? resolvePath(base, l.depth) : undefined,
    extra,
  };
}

/**
 * Reads and validates a JSONL manifest (one JSON object per line; blank lines and lines starting with
 * `#` are ignored). Throws DatasetFormatError naming the file and line of the first bad record.
 */
export async function readManifest(path: string, opts: ReadManifestOptions = {}): Promise<ManifestRecord[]> {
  const file = resolve(path);
  const records: ManifestRecord[] = [];
  const lines = readJsonLines(file, {
    open: (f, code, cause) => new DatasetFormatError(`${f}: cannot open manifest (${code}); check the path`, { cause }),
    invalid: (f, line, reason) => new DatasetFormatError(`${f} line ${line}: not valid JSON (${reason}); each line must be one JSON object`),
  });
  for await (const { line, json } of lines) records.push(parseManifestLine(json, { file, line, index: records.length }, opts));
  if (records.length === 0) throw new DatasetFormatError(`${file}: the manifest has no records`);
  if (opts.checkFiles) {
    for (const r of records) {
      try {
        await access(r.image);
      } catch {
        throw new DatasetFormatError(`${file} line ${r.line}: image ${r.image} does not exist`);
      }
    }
  }
  return records;
}

/** Writes manifest lines as JSONL, atomically (temp file, then rename). */
export async function writeManifest(path: string, lines: readonly ManifestLine[]): Promise<void> {
  await writeFileAtomic(path, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
}

/**
 * Maps labels to integer class ids: integers are kept; strings get the index of their name in
 * `classes` (default: the sorted distinct string labels). Records without a label get -1.
 */
export function labelIds(records: readonly { label?: number | string }[], classes?: readonly string[]): { ids: Int32Array; classes: string[] } {
  const names = classes ? [...classes] : [...new Set(records.map((r) => r.label).filter((l): l is string => typeof l === 'string'))].sort();
  const lookup = new Map(names.map((n, i) => [n, i]));
  const ids = new Int32Array(records.length);
  records.forEach((r, i) => {
    if (r.label === undefined) ids[i] = -1;
    else if (typeof r.label === 'number') ids[i] = r.label;
    else {
      const id = lookup.get(r.label);
      if (id === undefined) throw new DatasetFormatError(`label '${r.label}' is not one of the classes [${names.join(', ')}]`);
      ids[i] = id;
    }
  });
  return { ids, classes: names };
}
