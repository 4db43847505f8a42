import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '@tips/runtime';
import { CaptionConfigError } from '../errors';

/** A record that could not be captioned in the last run. */
export interface CaptionFailure {
  id: string;
  index: number;
  line: number;
  image: string;
  /** Error class name and code, e.g. CaptionHttpError / CAPTION_HTTP. */
  error: string;
  code?: string;
  message: string;
}

export async function writeFailures(path: string, failures: readonly CaptionFailure[]): Promise<void> {
  await writeFileAtomic(path, failures.map((f) => `${JSON.stringify(f)}\n`).join(''));
}

export async function readFailureIds(path: string): Promise<Set<string>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new CaptionConfigError(`--retry-failed: there is no failures file ${path}; run the job without --retry-failed first.`);
    }
    throw e;
  }
  const ids = new Set<string>();
  for (const l of text.split('\n')) {
    if (l.trim() === '') continue;
    ids.add(String((JSON.parse(l) as CaptionFailure).id));
  }
  return ids;
}
