import { parseManifestLine, readJsonLines } from '@tips/data';
import { CurateManifestError } from './errors';

/** One manifest record as curation sees it: the line's JSON is kept unchanged in `raw`. */
export interface CurateRecord {
  /** 0-based record index (blank and `#` lines do not count). */
  index: number;
  /** 1-based line number in the manifest. */
  line: number;
  id: string;
  /** Absolute image path. */
  image: string;
  /** The alt-text caption; undefined for image-only records. */
  webCaption?: string;
  /** The line's JSON, with id set and image/mask/depth paths made absolute. */
  raw: Record<string, unknown>;
}

/**
 * Streams a JSONL manifest (the training format of @tips/data; captions optional, since image-only
 * sources have none). Corrupt lines give a CurateManifestError naming the file and line.
 */
export async function* readRecords(path: string): AsyncGenerator<CurateRecord> {
  const lines = readJsonLines(path, {
    open: (file, code, cause) => new CurateManifestError(`cannot open manifest ${file} (${code}): check --manifest`, { cause }),
    invalid: (file, line, reason) => new CurateManifestError(`${file} line ${line}: not valid JSON (${reason}); each line must be one JSON object — fix or delete the line`),
  });
  let index = 0;
  const seen = new Set<string>();
  for await (const { file, line, json: raw } of lines) {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new CurateManifestError(`${file} line ${line}: not a JSON object; fix or delete the line`);
    let rec;
    try {
      rec = parseManifestLine(raw, { file, line, index }, { requireCaptions: false });
    } catch (e) {
      throw new CurateManifestError(`${(e as Error).message}; fix or delete the line`, { cause: e });
    }
    if (seen.has(rec.id)) throw new CurateManifestError(`${file} line ${line}: id "${rec.id}" appears twice; curation keys records by id — give each record a unique "id"`);
    seen.add(rec.id);
    const web = typeof rec.webCaption === 'string' && rec.webCaption.trim() !== '' ? rec.webCaption : undefined;
    // Paths made absolute, so a written manifest is valid wherever it lives.
    const out: Record<string, unknown> = { ...(raw as Record<string, unknown>), id: rec.id, image: rec.image };
    if (rec.mask !== undefined) out.mask = rec.mask;
    if (rec.depth !== undefined) out.depth = rec.depth;
    yield { index, line, id: rec.id, image: rec.image, webCaption: web, raw: out };
    index++;
  }
}

/** All records of a manifest, in order. */
export async function loadRecords(path: string): Promise<CurateRecord[]> {
  const out: CurateRecord[] = [];
  for await (const r of readRecords(path)) out.push(r);
  return out;
}
