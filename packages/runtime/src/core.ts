// @tips/runtime/core: the parts of the runtime with no tfjs and no Node built-in at load time
// (browser-safe): typed errors, lazy module loading, dtypes, the seeded RNG, the tensor-file readers
// and writers (npz, npy, safetensors; files on disk are opened through a lazily loaded node:fs, bytes
// in memory work anywhere) and the 8-bit image resize. Built as its own bundle: its classes are
// copies of the index's (error classes match across copies, see errors.ts; check other classes
// structurally, not with instanceof across entry points).
export { TipsError, TensorFileError, BackendError, CheckpointError } from './errors';
export { loadModule } from './load-module';
export { type DType, type TensorData, type AnyTypedArray, BYTES_PER_ELEMENT, numElements, allocate, halfToFloat, floatToHalf, toFloat32, toInt32 } from './dtype';
export { Rng, hashString, type RngState } from './rng';
export { type ByteSource, MemorySource, openSource } from './byte-source';
export { parseNpyHeader, encodeNpy, encodeNpyHeader, type NpyHeader } from './npy';
export { NpzReader, readNpz, encodeNpz } from './npz';
export { SafetensorsReader, encodeSafetensors, type TensorToWrite } from './safetensors';
export type { TensorFileReader, TensorInfo } from './tensor-file';
export { openTensorFile } from './open-tensor-file';
export { type TensorShapes, tensorShapes, mapShapes } from './tensor-shapes';
export { crc32 } from './crc32';
export { antialiasBilinearTaps, antialiasBilinearMatrix, resizeBilinear8, rgb8ToFloat, type FilterTaps } from './image/index';
