import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { CurateRecord } from './records';

/** Writes a file atomically: a temp file in the same folder, then rename. */
export async function writeAtomic(path: string, data: string | Uint8Array): Promise<string> {
  const dest = resolve(path);
  await mkdir(dirname(dest), { recursive: true });
  const tmp = `${dest}.tmp-${process.pid}-${Date.now()}`;
  await writeFile(tmp, data);
  await rename(tmp, dest);
  return dest;
}

/** Writes the kept records as a JSONL manifest (their lines' JSON, paths absolute: see CurateRecord.raw). */
export async function writeManifest(path: string, records: CurateRecord[]): Promise<string> {
  const lines = records.map((r) => JSON.stringify(r.raw));
  return writeAtomic(path, lines.length ? `${lines.join('\n')}\n` : '');
}
