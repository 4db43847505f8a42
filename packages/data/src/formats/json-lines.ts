import { createReadStream } from 'node:fs';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';

/** How a caller words the two failures of reading a JSONL file (each package has its own error type). */
export interface JsonLinesErrors {
  /** The file cannot be opened (`code`: ENOENT, EACCES, …). */
  open(file: string, code: string, cause: unknown): Error;
  /** Line `line` is not valid JSON (`reason`: JSON.parse's message). */
  invalid(file: string, line: number, reason: string): Error;
}

/**
 * Streams a JSONL file's lines as parsed JSON, skipping blank lines and lines starting with `#`;
 * `line` is 1-based in the file. Memory stays flat for files of any length; the stream is closed
 * when the loop ends, breaks or throws. The one reader behind readManifest, the captioner's and the
 * curation's manifest streams.
 */
export async function* readJsonLines(path: string, errors: JsonLinesErrors): AsyncGenerator<{ file: string; line: number; json: unknown }> {
  const file = resolve(path);
  const stream = createReadStream(file, { encoding: 'utf8' });
  try {
    await new Promise<void>((ok, fail) => {
      stream.once('open', () => ok());
      stream.once('error', fail);
    });
  } catch (e) {
    throw errors.open(file, (e as NodeJS.ErrnoException).code ?? String(e), e);
  }
  const rl = createInterface({ input: stream, crlfDelay: Infinity });
  let line = 0;
  try {
    for await (const text of rl) {
      line++;
      const t = text.trim();
      if (t === '' || t.startsWith('#')) continue;
      let json: unknown;
      try {
        json = JSON.parse(t);
      } catch (e) {
        throw errors.invalid(file, line, (e as Error).message);
      }
      yield { file, line, json };
    }
  } finally {
    rl.close();
    stream.destroy();
  }
}
