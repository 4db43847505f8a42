import { open, readFile, stat } from 'node:fs/promises';
import { CaptionManifestError } from '../errors';

/**
 * Append-only JSONL output with crash recovery. Each batch is appended with a single write of
 * complete lines followed by fsync, so a kill leaves at most one partial line at the end; opening
 * the file again truncates that partial line away.
 */

/** Truncates a trailing partial line (no final newline); returns the number of bytes removed. */
export async function truncatePartialLine(path: string): Promise<number> {
  let size: number;
  try {
    size = (await stat(path)).size;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw e;
  }
  if (size === 0) return 0;
  const fh = await open(path, 'r+');
  try {
    // Scan backwards in chunks for the last newline.
    const chunk = Buffer.alloc(64 * 1024);
    let end = size;
    let keep = 0;
    let found = false;
    while (end > 0 && !found) {
      const start = Math.max(0, end - chunk.length);
      const { bytesRead } = await fh.read(chunk, 0, end - start, start);
      for (let i = bytesRead - 1; i >= 0; i--) {
        if (chunk[i] === 0x0a) {
          keep = start + i + 1;
          found = true;
          break;
        }
      }
      end = start;
    }
    if (keep === size) return 0;
    await fh.truncate(keep);
    await fh.sync();
    return size - keep;
  } finally {
    await fh.close();
  }
}

/** Parses every complete line of a JSONL file (blank lines skipped); a trailing partial line is ignored. */
export async function readJsonlObjects(path: string): Promise<{ line: number; value: Record<string, unknown> }[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new CaptionManifestError(`Cannot read ${path}: ${(e as Error).message}`, { cause: e });
  }
  const lastNewline = text.lastIndexOf('\n');
  const complete = lastNewline >= 0 ? text.slice(0, lastNewline) : '';
  const out: { line: number; value: Record<string, unknown> }[] = [];
  complete.split('\n').forEach((l, i) => {
    const t = l.trim();
    if (t === '') return;
    let v: unknown;
    try {
      v = JSON.parse(t);
    } catch (e) {
      throw new CaptionManifestError(`${path} line ${i + 1} is not valid JSON (${(e as Error).message}); the file is corrupt: fix or remove that line.`);
    }
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new CaptionManifestError(`${path} line ${i + 1} is not a JSON object.`);
    out.push({ line: i + 1, value: v as Record<string, unknown> });
  });
  return out;
}

/** An open append handle: `append(lines)` writes them as one buffer and fsyncs. */
export class JsonlAppender {
  private chain: Promise<void> = Promise.resolve();

  private constructor(private readonly fh: import('node:fs/promises').FileHandle) {}

  static async open(path: string): Promise<JsonlAppender> {
    return new JsonlAppender(await open(path, 'a'));
  }

  /** Appends the objects as complete lines in one write, then fsyncs. Calls are serialised. */
  append(objects: readonly unknown[]): Promise<void> {
    if (objects.length === 0) return this.chain;
    const buf = Buffer.from(objects.map((o) => `${JSON.stringify(o)}\n`).join(''), 'utf8');
    const next = this.chain.then(async () => {
      let off = 0;
      while (off < buf.length) off += (await this.fh.write(buf, off, buf.length - off)).bytesWritten;
      await this.fh.sync();
    });
    this.chain = next.catch(() => undefined);
    return next;
  }

  async close(): Promise<void> {
    await this.chain;
    await this.fh.close();
  }
}
