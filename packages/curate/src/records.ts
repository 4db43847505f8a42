import { createReadStream } from 'node:fs';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { parseManifestLine } from '@tips/data';
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
  const file = resolve(path);
  const stream = createReadStream(file, { encoding: 'utf8' });
  try {
    await new Promise<void>((ok, fail) => {
      stream.once('open', () => ok());
      stream.once('error', fail);
    });
  } catch (e) {
    throw new CurateManifestError(`cannot open manifest ${file} (${(e as NodeJS.ErrnoException).code ?? String(e)}): check --manifest`, { cause: e });
  }
  const rl = createInterface({ input: stream, crlfDelay: Infinity });
  let line = 0;
  let index = 0;
  const seen = new Set<string>();
  try {
    for await (const text of rl) {
      line++;
      const t = text.trim();
      if (t === '' || t.startsWith('#')) continue;
      let raw: unknown;
      try {
        raw = JSON.parse(t);
      } catch (e) {
        throw new CurateManifestError(`${file} line ${line}: not valid JSON (${(e as Error).message}); each line must be one JSON object — fix or delete the line`);
      }
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
  } finally {
    rl.close();
    stream.destroy();
  }
}

/** All records of a manifest, in order. */
export async function loadRecords(path: string): Promise<CurateRecord[]> {
  const out: CurateRecord[] = [];
  for await (const r of readRecords(path)) out.push(r);
  return out;
}
