import { createReadStream } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { CaptionManifestError } from '../errors';
import type { JobRecord } from './record';

/**
 * Streams a JSONL manifest's records (blank lines and lines starting with `#` are skipped, as
 * @tips/data's readManifest does), with the record index, line number, id and absolute image path.
 * Each line must be a JSON object with an `image` path; `id` defaults to the record index.
 */
export async function* manifestRecords(path: string): AsyncGenerator<JobRecord> {
  const file = resolve(path);
  const base = dirname(file);
  const stream = createReadStream(file, { encoding: 'utf8' });
  try {
    await new Promise<void>((ok, fail) => {
      stream.once('open', () => ok());
      stream.once('error', fail);
    });
  } catch (e) {
    throw new CaptionManifestError(`Cannot open manifest ${file} (${(e as NodeJS.ErrnoException).code ?? String(e)}): check --manifest.`, { cause: e });
  }
  const rl = createInterface({ input: stream, crlfDelay: Infinity });
  let line = 0;
  let index = 0;
  try {
    for await (const text of rl) {
      line++;
      const t = text.trim();
      if (t === '' || t.startsWith('#')) continue;
      let raw: unknown;
      try {
        raw = JSON.parse(t);
      } catch (e) {
        throw new CaptionManifestError(`${file} line ${line}: not valid JSON (${(e as Error).message}); each line must be one JSON object.`);
      }
      if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new CaptionManifestError(`${file} line ${line}: not a JSON object.`);
      const r = raw as Record<string, unknown>;
      if (typeof r.image !== 'string' || r.image === '') {
        throw new CaptionManifestError(`${file} line ${line}: "image" must be a non-empty path (relative to the manifest's folder or absolute).`);
      }
      if (r.id !== undefined && typeof r.id !== 'string' && typeof r.id !== 'number') {
        throw new CaptionManifestError(`${file} line ${line}: "id" must be a string or a number.`);
      }
      yield {
        index,
        line,
        id: r.id !== undefined ? String(r.id) : String(index),
        image: isAbsolute(r.image) ? r.image : resolve(base, r.image),
        raw: r,
      };
      index++;
    }
  } finally {
    rl.close();
    stream.destroy();
  }
}
