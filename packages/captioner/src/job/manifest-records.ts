import { parseManifestLine, readJsonLines } from '@tips/data';
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
  const lines = readJsonLines(path, {
    open: (file, code, cause) => new CaptionManifestError(`Cannot open manifest ${file} (${code}): check --manifest.`, { cause }),
    invalid: (file, line, reason) => new CaptionManifestError(`${file} line ${line}: not valid JSON (${reason}); each line must be one JSON object.`),
  });
  let index = 0;
  for await (const { file, line, json: raw } of lines) {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new CaptionManifestError(`${file} line ${line}: not a JSON object.`);
    const rec = parseManifestLine(raw, { file, line, index }, { requireCaptions: false });
    yield { index, line, id: rec.id, image: rec.image, raw: raw as Record<string, unknown> };
    index++;
  }
}
