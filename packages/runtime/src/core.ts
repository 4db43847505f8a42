// @tips/runtime/core: the parts of the runtime with no tfjs and no Node built-ins (browser-safe,
// tiny): typed errors, lazy module loading, dtypes and the seeded RNG.
export { TipsError, TensorFileError, BackendError } from './errors';
export { loadModule } from './load-module';
export { type DType, type TensorData, type AnyTypedArray, BYTES_PER_ELEMENT, numElements, allocate, halfToFloat, floatToHalf, toFloat32, toInt32 } from './dtype';
export { Rng, hashString, type RngState } from './rng';
