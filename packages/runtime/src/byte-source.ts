import type { FileHandle } from 'node:fs/promises';
import { nodeFs } from './node-fs';
import { TensorFileError } from './errors';

/**
 * Random-access bytes: a file on disk (read piece by piece, never whole) or bytes in memory
 * (a fetched URL or a user's buffer in a browser).
 */
export interface ByteSource {
  readonly size: number;
  readonly name: string;
  /** Reads `length` bytes at `offset` into `into` (allocated when absent) and returns them. */
  read(offset: number, length: number, into?: Uint8Array): Promise<Uint8Array>;
  close(): Promise<void>;
}

export class MemorySource implements ByteSource {
  readonly size: number;
  constructor(
    private readonly bytes: Uint8Array,
    readonly name = '<bytes>',
  ) {
    this.size = bytes.byteLength;
  }
  async read(offset: number, length: number, into?: Uint8Array): Promise<Uint8Array> {
    if (offset < 0 || offset + length > this.size) {
      throw new TensorFileError(
        `${this.name}: read of ${length} bytes at ${offset} goes past the end (${this.size} bytes); the file is truncated or corrupt`,
      );
    }
    const view = this.bytes.subarray(offset, offset + length);
    if (!into) return view;
    into.set(view);
    return into;
  }
  async close(): Promise<void> {}
}

export class FileSource implements ByteSource {
  private constructor(
    private readonly handle: FileHandle,
    readonly size: number,
    readonly name: string,
  ) {}

  static async open(path: string): Promise<FileSource> {
    let handle: FileHandle;
    try {
      handle = await (await nodeFs()).open(path, 'r');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') throw new TensorFileError(`${path}: no such file; check the path`, { cause: e });
      throw new TensorFileError(`${path}: cannot open (${code ?? String(e)})`, { cause: e });
    }
    const { size } = await handle.stat();
    return new FileSource(handle, size, path);
  }

  async read(offset: number, length: number, into?: Uint8Array): Promise<Uint8Array> {
    if (offset < 0 || offset + length > this.size) {
      throw new TensorFileError(
        `${this.name}: read of ${length} bytes at ${offset} goes past the end (${this.size} bytes); the file is truncated or corrupt`,
      );
    }
    const out = into ?? new Uint8Array(length);
    let done = 0;
    while (done < length) {
      // Node caps a single read at 2 GiB; read in pieces.
      const step = Math.min(length - done, 1 << 30);
      const { bytesRead } = await this.handle.read(out, done, step, offset + done);
      if (bytesRead === 0) throw new TensorFileError(`${this.name}: unexpected end of file at ${offset + done}; the file is truncated`);
      done += bytesRead;
    }
    return out;
  }

  async close(): Promise<void> {
    await this.handle.close();
  }
}

/** Opens a path (string) as a file source, or wraps bytes in memory. */
export async function openSource(src: string | Uint8Array | ArrayBuffer, name?: string): Promise<ByteSource> {
  if (typeof src === 'string') return FileSource.open(src);
  const bytes = src instanceof Uint8Array ? src : new Uint8Array(src);
  return new MemorySource(bytes, name);
}
