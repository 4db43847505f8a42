import { createWriteStream } from 'node:fs';
import { rename, rm, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { tempPathFor } from '@tips/runtime';
import * as tar from 'tar-stream';

/**
 * Writes one WebDataset shard: for each sample, its files `{key}.{ext}` in order. The shard is written
 * to a temp file and renamed when complete.
 */
export async function writeTarShard(path: string, samples: Iterable<{ key: string; files: Record<string, Uint8Array | string> }>): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = tempPathFor(path);
  const pack = tar.pack();
  const done = pipeline(pack, createWriteStream(tmp));
  try {
    for (const s of samples) {
      for (const [ext, content] of Object.entries(s.files)) {
        const body = typeof content === 'string' ? Buffer.from(content, 'utf8') : Buffer.from(content.buffer, content.byteOffset, content.byteLength);
        await new Promise<void>((ok, fail) => pack.entry({ name: `${s.key}.${ext}`, size: body.length, mtime: new Date(0) }, body, (e) => (e ? fail(e) : ok())));
      }
    }
    pack.finalize();
    await done;
    await rename(tmp, path);
  } catch (e) {
    pack.destroy();
    await done.catch(() => undefined);
    await rm(tmp, { force: true });
    throw e;
  }
}
