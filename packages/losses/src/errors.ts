/**
 * What went wrong, as a stable machine-readable code:
 * - `shape`: a tensor has the wrong rank or size for the call;
 * - `value`: an option or a number is out of its allowed range;
 * - `checkpoint`: weights given to a head do not match its parameters (missing, unexpected or
 *   wrongly shaped arrays).
 */
export type LossErrorCode = 'shape' | 'value' | 'checkpoint';

/**
 * The one error type @tips/losses throws for bad input. `@tips/losses` depends on nothing but
 * `@tensorflow/tfjs-core`, so it has its own base class instead of the project-wide `TipsError`.
 * The message names the argument that is wrong and how to fix it.
 */
export class LossError extends Error {
  override readonly name = 'LossError';
  constructor(
    readonly code: LossErrorCode,
    message: string,
  ) {
    super(message);
  }
}
