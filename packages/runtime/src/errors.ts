/**
 * Base class of every error TIPS-TS throws on purpose. `code` is stable and machine-readable;
 * the message names the thing that is wrong and how to fix it.
 */
const BRAND = Symbol.for('@tips/runtime:TipsError');

export class TipsError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
    (this as unknown as Record<symbol, boolean>)[BRAND] = true;
  }

  /**
   * `err instanceof TipsError` holds for errors of every copy of this class (the package's entry
   * points — index, core — each bundle one); subclasses keep the ordinary prototype check.
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    if (Function.prototype[Symbol.hasInstance].call(this, value)) return true;
    return this === TipsError && typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
  }
}

/** A tensor file (npz, npy, safetensors) is missing, truncated, corrupt or in an unsupported layout. */
export class TensorFileError extends TipsError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('TENSOR_FILE', message, options);
  }
}

/** A requested compute backend is unknown or could not be initialised. */
export class BackendError extends TipsError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('BACKEND', message, options);
  }
}
