import { TipsError } from '@tips/runtime';

/** An input the image tower cannot take (shape, size not a multiple of the patch, mask size). */
export class VitInputError extends TipsError {
  constructor(message: string) {
    super('VIT_INPUT', message);
  }
}
