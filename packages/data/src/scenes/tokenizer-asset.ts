import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SentencePieceTokenizer } from '@tips/text-encoder';
import { DataOptionError } from '../errors';

const FILE = 'scenes-tokenizer.model';

/**
 * Path of the default SentencePiece model of the built-in scenes (assets/scenes-tokenizer.model,
 * shipped in the package; made by scripts/train-scenes-tokenizer.mjs): BPE, 691 pieces, pad 0,
 * unk 1, no BOS/EOS, lower-cased corpus; every scene caption fits in 64 tokens.
 */
export function scenesTokenizerPath(): string {
  // From the built package this code is in dist/; from the sources (jest) in src/scenes/.
  const candidates = [join(__dirname, '..', 'assets', FILE), join(__dirname, '..', '..', 'assets', FILE)];
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new DataOptionError(`${FILE} is missing from @tips/data (looked in ${candidates.join(', ')}); reinstall the package`);
  return found;
}

/** Loads the scenes tokenizer (@tips/text-encoder's SentencePieceTokenizer). */
export async function loadScenesTokenizer(): Promise<SentencePieceTokenizer> {
  const path = scenesTokenizerPath();
  // Bytes read here (not SentencePieceTokenizer.load(path), whose dynamic import fails under jest's CommonJS).
  return SentencePieceTokenizer.fromBytes(await readFile(path), path);
}
