import { createReadStream } from 'node:fs';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { parseManifestLine } from '@tips/data';
import { CaptionManifestError } from '../errors';
import type { JobRecord } from './record';

/**
 * Streams a JSONL manifest's records (blank lines and lines starting with `#` are skipped), each
 * validated by @tips/data's `parseManifestLine` (captions not required) — so the captioner accepts
 * exactly the manifests training reads — with the record index, line number, id (default: the index)
 * and absolute image path, and the line's JSON unchanged in `raw`. Streaming: memory stays flat
 * for manifests of any length.
 */
export async function* manifestRecords(path: string): AsyncGenerator<JobRecord> {
  const file = resolve(path);
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
      const rec = parseManifestLine(raw, { file, line, index }, { requireCaptions: false });
      yield { index, line, id: rec.id, image: rec.image, raw: raw as Record<string, unknown> };
      index++;
    }
  } finally {
    rl.close();
    stream.destroy();
  }
}
