import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { DatasetFormatError } from '../errors';
import { decodeImage } from '../image/decode';
import { parseMultiviewLine, type MultiviewRecord } from './layout';

/**
 * Reads and validates a multi-view JSONL manifest (layout in layout.ts; blank lines and lines
 * starting with `#` are skipped). Throws DatasetFormatError naming the file and line.
 */
export async function readMultiviewManifest(path: string): Promise<MultiviewRecord[]> {
  const file = resolve(path);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new DatasetFormatError(`${file}: cannot read multi-view manifest (${(e as NodeJS.ErrnoException).code ?? String(e)}); check the path or generate one with generateMultiviewScenes / \`tips lrm data\``, { cause: e });
  }
  const records: MultiviewRecord[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const t = lines[i]!.trim();
    if (t === '' || t.startsWith('#')) continue;
    let json: unknown;
    try {
      json = JSON.parse(t);
    } catch (e) {
      throw new DatasetFormatError(`${file} line ${i + 1}: not valid JSON (${(e as Error).message}); each line must be one JSON object (one scene)`);
    }
    records.push(parseMultiviewLine(json, { file, line: i + 1, index: records.length }));
  }
  if (records.length === 0) throw new DatasetFormatError(`${file}: the manifest has no scenes`);
  return records;
}

/**
 * Decodes every view of a record into Float32 RGB in [0, 1], HWC, one array per view. Throws
 * ImageDecodeError for a missing/corrupt image and DatasetFormatError when an image's size is not
 * the record's width × height.
 */
export async function loadMultiviewImages(record: MultiviewRecord): Promise<Float32Array[]> {
  return Promise.all(
    record.views.map(async (v) => {
      const img = await decodeImage(v.image);
      if (img.width !== record.width || img.height !== record.height) {
        throw new DatasetFormatError(`${v.image}: image is ${img.width}×${img.height} but scene '${record.id}' says ${record.width}×${record.height}; fix width/height or resize the image (and scale K)`);
      }
      const out = new Float32Array(img.data.length);
      for (let i = 0; i < out.length; i++) out[i] = img.data[i]! / 255;
      return out;
    }),
  );
}
