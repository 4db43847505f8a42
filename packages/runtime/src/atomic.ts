import { nodeFs, nodePath } from './node-fs';

/** A temp path beside `path` (same directory, so that rename is atomic). */
export function tempPathFor(path: string): string {
  const tag = `${typeof process !== 'undefined' ? process.pid : 0}-${Math.floor(Math.random() * 0xffffffff).toString(16)}`;
  return path.replace(/([^/\\]+)$/, (name) => `.${name}.tmp-${tag}`);
}

/**
 * Runs `write(tmpPath)` and renames the result over `path` only when it succeeds, so that a crash
 * or kill leaves either the old file or the new one, never a half-written file.
 */
export async function withAtomicFile<T>(path: string, write: (tmpPath: string) => Promise<T>): Promise<T> {
  const { mkdir, open, rename, rm } = await nodeFs();
  await mkdir((await nodePath()).dirname(path), { recursive: true });
  const tmp = tempPathFor(path);
  try {
    const result = await write(tmp);
    const fh = await open(tmp, 'r');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, path);
    return result;
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}

/** Writes `data` to `path` atomically (temp file in the same directory, fsync, rename). */
export async function writeFileAtomic(path: string, data: Uint8Array | string): Promise<void> {
  const { open } = await nodeFs();
  await withAtomicFile(path, async (tmp) => {
    const fh = await open(tmp, 'w');
    try {
      await fh.writeFile(data);
    } finally {
      await fh.close();
    }
  });
}
