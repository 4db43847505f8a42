const BRAND = Symbol.for('@tips/runtime:TipsError');
/** Names of the error's classes, most derived first, up to TipsError (set by the constructor). */
const CLASSES = Symbol.for('@tips/runtime:TipsError.classes');

type Branded = Record<symbol, unknown>;

function classNames(ctor: unknown): string[] {
  const names: string[] = [];
  for (let c = ctor as { name?: string } | null; typeof c === 'function' && c !== Error; c = Object.getPrototypeOf(c) as { name?: string } | null) {
    if (c.name) names.push(c.name);
  }
  return names;
}

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
    (this as unknown as Branded)[BRAND] = true;
    (this as unknown as Branded)[CLASSES] = classNames(new.target);
  }

  /**
   * `err instanceof X` holds across copies of the error classes: each entry point of a package
   * (@tips/runtime's index and core, a package's index and its tfjs-free subpath) bundles its own
   * copy, so an error thrown through one copy must still match the class imported from another.
   * TipsError matches every error of this family; a subclass matches errors whose class chain has a
   * class of the same name (the brand is the class name: keep error class names unique).
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    if (Function.prototype[Symbol.hasInstance].call(this, value)) return true;
    if (typeof value !== 'object' || value === null || (value as Branded)[BRAND] !== true) return false;
    if (this === TipsError) return true;
    const names = (value as Branded)[CLASSES];
    return Array.isArray(names) && names.includes(this.name);
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

/** A checkpoint does not fit the model: lists every missing key, unexpected key and shape mismatch. */
export class CheckpointError extends TipsError {
  constructor(
    message: string,
    readonly missing: string[] = [],
    readonly unexpected: string[] = [],
    readonly mismatched: { name: string; expected: number[]; found: number[] }[] = [],
  ) {
    super('CHECKPOINT', message);
  }
}
