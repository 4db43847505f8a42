import { TipsError } from '@tips/runtime';

/** Base class of @tips/curate's errors (each message names the thing and the fix). */
export class CurateError extends TipsError {
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/** A manifest that cannot be read: missing file, a line that is not JSON, a record without an image. */
export class CurateManifestError extends CurateError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('CURATE_MANIFEST', message, options);
  }
}

/** An image a record points to is missing or cannot be decoded. */
export class CurateImageError extends CurateError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('CURATE_IMAGE', message, options);
  }
}

/** The embeddings do not fit the table they go into (another model, another width). */
export class CurateDimensionError extends CurateError {
  constructor(message: string) {
    super('CURATE_DIMENSION', message);
  }
}

/** Bad options: thresholds out of range, missing tables, unknown detector. */
export class CurateConfigError extends CurateError {
  constructor(message: string) {
    super('CURATE_CONFIG', message);
  }
}
