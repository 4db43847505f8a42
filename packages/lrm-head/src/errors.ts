import { TipsError } from '@tips/runtime';

/** Base of the errors @tips/lrm-head throws on purpose. */
export class LrmError extends TipsError {
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/** A configuration or option is invalid (sizes, sample counts, encoder input size…). */
export class LrmConfigError extends LrmError {
  constructor(message: string) {
    super('LRM_CONFIG', message);
  }
}

/** An input tensor or camera has the wrong shape or values. */
export class LrmInputError extends LrmError {
  constructor(message: string) {
    super('LRM_INPUT', message);
  }
}

/** An LRM checkpoint is missing, not an LRM file, or does not fit the model. */
export class LrmCheckpointError extends LrmError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('LRM_CHECKPOINT', message, options);
  }
}
