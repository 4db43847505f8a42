// Test helpers (not exported from the package): paths of the committed SentencePiece test models
// and a bridge to the reference implementation in test-data/reference-sp.mjs.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const TEST_DATA = join(__dirname, '..', '..', 'test-data');
export const TEST_MODELS = ['unigram', 'bpe', 'bytefallback', 'bpe-identity'] as const;
export type TestModel = (typeof TEST_MODELS)[number];

export const modelPath = (name: TestModel): string => join(TEST_DATA, `${name}.model`);

export interface ExpectedCase {
  text: string;
  ids: number[];
  pieces: string[];
  decoded: string;
}

/** Outputs of the Python/C++ SentencePiece, written by test-data/expected_ids.py. */
export function expectedCases(name: TestModel): ExpectedCase[] {
  const data = JSON.parse(readFileSync(join(TEST_DATA, 'expected.json'), 'utf8')) as {
    models: Record<string, { cases: ExpectedCase[] }>;
  };
  return data.models[name]!.cases;
}

export function trickyStrings(): string[] {
  return JSON.parse(readFileSync(join(TEST_DATA, 'tricky-strings.json'), 'utf8')) as string[];
}

/** Ids (and decodings of `decode`) from the real SentencePiece (wasm build), run in a child Node process. */
export function referenceEncode(name: TestModel, texts: string[], decode: number[][] = []): { ids: number[][]; decoded: string[] } {
  const out = execFileSync(process.execPath, [join(TEST_DATA, 'reference-sp.mjs')], {
    input: JSON.stringify({ model: modelPath(name), texts, decode }),
    cwd: TEST_DATA,
    maxBuffer: 64 * 1024 * 1024,
  });
  return JSON.parse(out.toString('utf8')) as { ids: number[][]; decoded: string[] };
}
