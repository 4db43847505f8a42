import { isNode } from '../env';
import { ModelLoadError } from '../errors';

/** A model file: a path (Node), a URL (http(s), data:, blob:, or any string in browsers), or its bytes. */
export type ModelSource = string | URL | Uint8Array | ArrayBuffer;

export type ModelFormat = 'onnx' | 'npz' | 'safetensors';

const URL_LIKE = /^(https?:|data:|blob:|file:)/i;

/** A human-readable name for messages. */
export function sourceName(src: ModelSource): string {
  if (typeof src === 'string') return src;
  if (src instanceof URL) return src.href;
  return `${src.byteLength} bytes`;
}

/** Reads a model source into memory: fetch for URLs, node:fs for paths in Node. */
export async function sourceBytes(src: ModelSource, what: string): Promise<Uint8Array> {
  if (src instanceof Uint8Array) return src;
  if (src instanceof ArrayBuffer) return new Uint8Array(src);
  const href = src instanceof URL ? src.href : src;
  if (isNode() && !URL_LIKE.test(href)) {
    const { readFileBytes } = await import('../node/image-io');
    return readFileBytes(href, what, (m, cause) => new ModelLoadError(`${m}; pass the path of an .onnx, .npz or .safetensors file`, { cause }));
  }
  if (isNode() && href.startsWith('file:')) {
    const { readFileBytes } = await import('../node/image-io');
    return readFileBytes(new URL(href).pathname, what, (m, cause) => new ModelLoadError(m, { cause }));
  }
  let res: Response;
  try {
    res = await fetch(href);
  } catch (e) {
    throw new ModelLoadError(`could not fetch the ${what} from ${href} (${(e as Error).message})`, { cause: e });
  }
  if (!res.ok) throw new ModelLoadError(`fetching the ${what} from ${href} failed with HTTP ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}

/**
 * What a model file is, from its first bytes: a zip (npz), a safetensors header (u64 length then
 * '{'), or an ONNX ModelProto (first field ir_version, protobuf tag 0x08).
 */
export function sniffFormat(bytes: Uint8Array, name: string): ModelFormat {
  if (bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b) return 'npz';
  if (bytes.length >= 9 && bytes[8] === 0x7b && bytes[5] === 0 && bytes[6] === 0 && bytes[7] === 0) return 'safetensors';
  if (bytes.length >= 2 && bytes[0] === 0x08) return 'onnx';
  throw new ModelLoadError(`${name} is not an ONNX model, an .npz or a .safetensors checkpoint (first bytes ${Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join(' ')})`);
}
