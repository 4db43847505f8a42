import { TipsError } from '@tips/runtime';

/** Base class of the errors @tips/data throws on purpose (bad dataset files, bad options). */
export class DataError extends TipsError {
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/** A manifest, WebDataset sample, COCO file or image folder is malformed. The message names the file and line. */
export class DatasetFormatError extends DataError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('DATASET_FORMAT', message, options);
  }
}

/** An image (or mask / depth map) is missing, truncated or in a format sharp cannot decode. */
export class ImageDecodeError extends DataError {
  readonly path: string;
  constructor(path: string, message: string, options?: { cause?: unknown }) {
    super('IMAGE_DECODE', message, options);
    this.path = path;
  }
}

/** More images were skipped (corrupt or missing) than the configured fraction allows. */
export class TooManySkippedError extends DataError {
  readonly skipped: number;
  readonly seen: number;
  readonly paths: string[];
  constructor(skipped: number, seen: number, limit: number, paths: string[], allowance = 0) {
    const shown = paths.slice(0, 5).join(', ');
    super(
      'TOO_MANY_SKIPPED',
      `${skipped} of ${seen} images could not be decoded (${((100 * skipped) / seen).toFixed(1)}% > limit ${(100 * limit).toFixed(1)}%, ` +
        `and more than the ${allowance} always tolerated); first ones: ${shown}${paths.length > 5 ? ', …' : ''}. ` +
        `Fix or remove these files, or raise the limit (tips train: --set data.maxSkippedFraction=0.05 or data.skipAllowance=N; @tips/data loaders: maxSkippedFraction / skipAllowance).`,
    );
    this.skipped = skipped;
    this.seen = seen;
    this.paths = paths;
  }
}

/** A view / transform option is invalid (crop size not a multiple of the patch size, empty scale range, …). */
export class TransformConfigError extends DataError {
  constructor(message: string) {
    super('TRANSFORM_CONFIG', message);
  }
}

/** A loader / generator option is invalid, or a feature is not available in this build. */
export class DataOptionError extends DataError {
  constructor(message: string) {
    super('DATA_OPTION', message);
  }
}
