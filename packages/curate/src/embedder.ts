import { access } from 'node:fs/promises';
import { CurateImageError } from './errors';

/** Image embeddings of one record: both CLS tokens, L2-normalised. */
export interface ImageVectors {
  cls1: Float32Array;
  cls2: Float32Array;
}

/** What the embed job needs from a model (the SDK, or a test double). */
export interface Embedder {
  readonly dim: number;
  /** A name for messages and reports (checkpoint paths). */
  readonly name: string;
  embedImages(paths: string[]): Promise<ImageVectors[]>;
  embedTexts(texts: string[]): Promise<Float32Array[]>;
  close?(): Promise<void>;
}

/** Throws CurateImageError when a record's image file is not there. */
export async function checkImageExists(path: string, where: string): Promise<void> {
  try {
    await access(path);
  } catch {
    throw new CurateImageError(`${where}: image ${path} does not exist; fix the path in the manifest or delete the line, then re-run (finished batches are kept)`);
  }
}
