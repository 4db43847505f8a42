import { TipsError } from '@tips/runtime';

/** Bad evaluation input (shapes, labels, options): the message names the thing and the fix. */
export class EvalInputError extends TipsError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('EVAL_INPUT', message, options);
  }
}

/** A task cannot run on the given data or model (no masks, no text tower, no labels...). */
export class EvalTaskError extends TipsError {
  constructor(
    readonly task: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super('EVAL_TASK', `${task}: ${message}`, options);
  }
}

/** A checkpoint folder or file that `tips eval` cannot resolve into image/text towers. */
export class EvalCheckpointError extends TipsError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('EVAL_CHECKPOINT', message, options);
  }
}

/** A report figure or file could not be written. */
export class ReportError extends TipsError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('EVAL_REPORT', message, options);
  }
}
