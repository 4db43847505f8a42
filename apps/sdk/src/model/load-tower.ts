import { openOnnx, type OnnxFile } from '../ort/onnx-file';
import type { OrtRuntime } from '../ort/runtime';
import { sniffFormat, sourceBytes, sourceName, type ModelSource } from './sources';

/**
 * Loads one tower from an ONNX file or a checkpoint: a checkpoint path is handed to the tensor
 * readers as is (streamed); anything else is read once and recognised by its first bytes.
 */
export async function loadTower<T>(
  src: ModelSource,
  what: string,
  rt: OrtRuntime,
  onnx: (f: OnnxFile) => Promise<T>,
  checkpoint: (s: ModelSource) => Promise<T>,
): Promise<T> {
  const isPath = typeof src === 'string' && !/^(https?:|data:|blob:|file:)/i.test(src) && typeof (globalThis as { window?: unknown }).window === 'undefined';
  if (isPath && /\.(npz|safetensors)$/i.test(src as string)) return checkpoint(src);
  const bytes = await sourceBytes(src, what);
  return sniffFormat(bytes, sourceName(src)) === 'onnx' ? onnx(await openOnnx(src, bytes, rt)) : checkpoint(bytes);
}
