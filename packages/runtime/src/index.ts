import './register-gradients';
export { TipsError, TensorFileError, BackendError } from './errors';
export {
  type DType,
  type TensorData,
  type AnyTypedArray,
  BYTES_PER_ELEMENT,
  numElements,
  allocate,
  halfToFloat,
  floatToHalf,
  toFloat32,
  toInt32,
} from './dtype';
export { type ByteSource, FileSource, MemorySource, openSource } from './byte-source';
export { parseNpyHeader, encodeNpy, encodeNpyHeader, type NpyHeader } from './npy';
export { readZipDirectory, streamZipEntry, type ZipEntry } from './zip';
export { NpzReader, readNpz, writeNpz, encodeNpz } from './npz';
export { SafetensorsReader, writeSafetensors, encodeSafetensors, tensorToWrite, type TensorToWrite } from './safetensors';
export type { TensorFileReader, TensorInfo } from './tensor-file';
export { openTensorFile } from './open-tensor-file';
export { type TensorShapes, tensorShapes, mapShapes } from './tensor-shapes';
export { writeFileAtomic, withAtomicFile, tempPathFor } from './atomic';
export { processAlive } from './process-alive';
export { crc32 } from './crc32';
export { Rng, hashString, type RngState } from './rng';
export { loadModule } from './load-module';
export { initBackend, activeBackend, describeBackend, parseBackendChoice, type BackendChoice, type BackendInfo } from './backend';
export {
  dense,
  multiHeadAttention,
  layerNorm,
  gelu,
  silu,
  plainBatchMatMul,
  checkpointed,
  setOpsPath,
  getOpsPath,
  useFastOps,
  withOpsPath,
  OpsPathError,
  type AttentionOptions,
  type OpsPath,
} from './ops/index';
export { ParamStore, CheckpointError, fileShape, type ParamSpec, type LoadOptions } from './params';
export { antialiasBilinearTaps, antialiasBilinearMatrix, resizeBilinear8, rgb8ToFloat, type FilterTaps } from './image/index';
export {
  DataParallelPool,
  FlatAdam,
  type FlatAdamOptions,
  flatLayout,
  viewsOf,
  shardRanges,
  segmentOf,
  ParallelError,
  type DataParallelOptions,
  type StepOptions,
  type StepResult,
  type FlatLayout,
  type ParamShape,
  type GradientModule,
  type GradientResult,
  type WeightSet,
  type WorkerContext,
  type UpdateSegment,
} from './parallel/index';
