import { TipsError } from '@tips/runtime/core';

/** Building an ONNX graph failed: the weights do not fit the model definition or an option is invalid. */
export class ExportError extends TipsError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('SDK_EXPORT', message, options);
  }
}

/** A model file (ONNX or checkpoint), URL or option given to TipsModel.load is unusable. */
export class ModelLoadError extends TipsError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('SDK_MODEL', message, options);
  }
}

/** An image, text or array passed to an SDK call is unusable (wrong type, size, empty, corrupt). */
export class SdkInputError extends TipsError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('SDK_INPUT', message, options);
  }
}
