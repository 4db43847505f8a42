import { FileSource } from './byte-source';
import { TensorFileError } from './errors';
import { NpzReader } from './npz';
import { SafetensorsReader } from './safetensors';
import type { TensorFileReader } from './tensor-file';

/**
 * Opens an `.npz` or `.safetensors` file by looking at its first bytes (not its name):
 * a zip signature means npz, anything else is tried as safetensors.
 */
export async function openTensorFile(src: string | Uint8Array | ArrayBuffer, name?: string): Promise<TensorFileReader> {
  let head: Uint8Array;
  if (typeof src === 'string') {
    const f = await FileSource.open(src);
    try {
      if (f.size < 4) throw new TensorFileError(`${src}: file is ${f.size} bytes long; it is empty or truncated`);
      head = await f.read(0, 4);
    } finally {
      await f.close();
    }
  } else {
    head = (src instanceof Uint8Array ? src : new Uint8Array(src)).subarray(0, 4);
  }
  const isZip = head[0] === 0x50 && head[1] === 0x4b;
  return isZip ? NpzReader.open(src, name) : SafetensorsReader.open(src, name);
}
