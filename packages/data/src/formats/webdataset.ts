import { createReadStream } from 'node:fs';
import { posix } from 'node:path';
import * as tar from 'tar-stream';
import { z } from 'zod';
import { DatasetFormatError } from '../errors';
import { annotationShape, captionList, formatZodIssues } from './caption-fields';

/** The files of one WebDataset sample: entries `{key}.{ext}` grouped by key (ext lower-cased, e.g. 'jpg', 'json', 'mask.png'). */
export interface WdsEntryGroup {
  key: string;
  shard: string;
  files: Map<string, Uint8Array>;
}

/** Image extensions recognised in a sample, in order of preference. */
export const WDS_IMAGE_EXTENSIONS = ['jpg', 'jpeg', 'png', 'webp'] as const;

/** WebDataset's key/extension split: key = folder + file name up to its first dot, ext = the rest. */
export function splitKey(name: string): { key: string; ext: string } | null {
  const dir = posix.dirname(name);
  const base = posix.basename(name);
  const dot = base.indexOf('.');
  if (dot <= 0) return null;
  return { key: (dir === '.' ? '' : dir + '/') + base.slice(0, dot), ext: base.slice(dot + 1).toLowerCase() };
}

async function readEntry(entry: AsyncIterable<unknown>): Promise<Uint8Array> {
  const parts: Buffer[] = [];
  for await (const chunk of entry) parts.push(chunk as Buffer);
  return Buffer.concat(parts);
}

/**
 * Streams the samples of one tar shard (tar-stream; the file is never loaded whole). Consecutive
 * entries with the same key form a sample, as WebDataset writes them. A truncated or corrupt tar
 * throws DatasetFormatError after the samples read so far have been yielded.
 */
export async function* readTarShard(path: string): AsyncGenerator<WdsEntryGroup> {
  const extract = tar.extract();
  const file = createReadStream(path);
  file.on('error', (e) => extract.destroy(e));
  file.pipe(extract);
  let current: WdsEntryGroup | null = null;
  let count = 0;
  try {
    for await (const entry of extract) {
      const h = entry.header;
      if (h.type !== 'file' || h.name.split('/').some((p) => p.startsWith('__'))) {
        entry.resume();
        continue;
      }
      const split = splitKey(h.name);
      if (!split) {
        entry.resume();
        continue;
      }
      const bytes = await readEntry(entry);
      if (current && current.key !== split.key) {
        count++;
        yield current;
        current = null;
      }
      current ??= { key: split.key, shard: path, files: new Map() };
      current.files.set(split.ext, bytes);
    }
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const why = err.code === 'ENOENT' ? 'file not found' : err.message;
    throw new DatasetFormatError(`${path}: cannot read tar shard after ${count} samples (${why})`, { cause: e });
  } finally {
    file.destroy();
    extract.destroy();
  }
  if (current) yield current;
}

const wdsJsonSchema = z.object(annotationShape).passthrough();

/** A WebDataset sample decoded into the same fields as a manifest record (image still encoded). */
export interface WdsSample {
  key: string;
  shard: string;
  image: { bytes: Uint8Array; name: string } | null;
  webCaption?: string;
  syntheticCaptions: string[];
  label?: number | string;
  json: Record<string, unknown>;
  files: Map<string, Uint8Array>;
}

/**
 * Interprets a sample's files: the image from `.jpg|.jpeg|.png|.webp`; captions and label from `.json`
 * (same field names as a manifest line); `.txt` is the web caption and, when the json has no
 * synthetic_caption, the synthetic one too; `.cls` an integer label.
 */
export function interpretWdsSample(g: WdsEntryGroup): WdsSample {
  const where = `${g.shard}: sample '${g.key}'`;
  let json: Record<string, unknown> = {};
  const jsonBytes = g.files.get('json');
  if (jsonBytes) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(Buffer.from(jsonBytes).toString('utf8'));
    } catch (e) {
      throw new DatasetFormatError(`${where}: ${g.key}.json is not valid JSON (${(e as Error).message})`);
    }
    const v = wdsJsonSchema.safeParse(parsed);
    if (!v.success) throw new DatasetFormatError(`${where}: ${g.key}.json: ${formatZodIssues(v.error)}`);
    json = v.data;
  }
  const txt = g.files.get('txt');
  const txtCaption = txt ? Buffer.from(txt).toString('utf8').trim() : undefined;
  const ext = WDS_IMAGE_EXTENSIONS.find((e) => g.files.has(e));
  const syn = captionList(json.synthetic_caption as string | string[] | undefined);
  const cls = g.files.get('cls');
  let label = json.label as number | string | undefined;
  if (label === undefined && cls) {
    const n = Number.parseInt(Buffer.from(cls).toString('utf8').trim(), 10);
    if (Number.isFinite(n)) label = n;
  }
  return {
    key: g.key,
    shard: g.shard,
    image: ext ? { bytes: g.files.get(ext)!, name: `${g.shard}:${g.key}.${ext}` } : null,
    webCaption: (json.web_caption as string | undefined) ?? txtCaption,
    syntheticCaptions: syn.length ? syn : txtCaption !== undefined ? [txtCaption] : [],
    label,
    json,
    files: g.files,
  };
}
