import { CurateConfigError } from './errors';

/** A language detector: ISO 639-1 code ('' when unknown) for a text. */
export type LanguageDetector = (text: string) => string;

interface Eld {
  detect(text: string): { language: string };
}

let cached: Promise<LanguageDetector> | null = null;

/**
 * eld (Nito-ELD n-gram detector, its preloaded 'large' database; ~4 MB, loaded on first use).
 * Chosen over tinyld and franc for short alt-texts: see the package README for the measurement
 * (bench/compare-detectors.mjs).
 */
export function eldDetector(): Promise<LanguageDetector> {
  cached ??= import('eld/large').then(
    (m) => {
      const d = (m as unknown as { eld: Eld }).eld;
      return (t: string) => d.detect(t).language;
    },
    (e: unknown) => {
      cached = null;
      throw new CurateConfigError(`cannot load the eld language detector (${(e as Error).message}): reinstall with npm ci`);
    },
  );
  return cached;
}
