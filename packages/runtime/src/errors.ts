/**
 * Base class of every error TIPS-TS throws on purpose. `code` is stable and machine-readable;
 * the message names the thing that is wrong and how to fix it.
 */
export class TipsError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
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
