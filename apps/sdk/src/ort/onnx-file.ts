import type { InferenceSession } from 'onnxruntime-web';
import { loadModule } from '@tips/runtime/core';
import { isNode } from '../env';
import { ModelLoadError } from '../errors';
import { sourceBytes, sourceName, type ModelSource } from '../model/sources';
import { summarizeModel, type ModelSummary } from '../onnx/proto';
import type { OrtRuntime } from './runtime';

/** An ONNX model ready to become sessions: its summary and a session factory. */
export interface OnnxFile {
  name: string;
  summary: ModelSummary;
  createSession(): Promise<InferenceSession>;
}

const URL_LIKE = /^(https?:|data:|blob:|file:)/i;

/**
 * Prepares an ONNX model for ONNX Runtime. Weights inside the file: sessions are made from the bytes.
 * Weights in external data files (g/14 towers): onnxruntime-node opens the model by path and finds
 * the data beside it; onnxruntime-web gets the data files as `externalData` (read from disk in Node,
 * fetched next to the model URL in browsers). Such a model must be given as a path or URL.
 */
export async function openOnnx(src: ModelSource, bytes: Uint8Array, rt: OrtRuntime): Promise<OnnxFile> {
  const name = sourceName(src);
  const summary = summarizeModel(bytes);
  if (summary.externalData.length === 0) {
    return { name, summary, createSession: () => rt.ort.InferenceSession.create(bytes, rt.sessionOptions) };
  }
  const where = typeof src === 'string' ? src : src instanceof URL ? src.href : null;
  if (where === null) {
    throw new ModelLoadError(`${name}: the weights are in external data files (${summary.externalData.join(', ')}); load the model from its path or URL so they can be found beside it`);
  }
  const isPath = isNode() && !URL_LIKE.test(where);
  if (isPath && rt.backend === 'node') {
    return { name, summary, createSession: () => rt.ort.InferenceSession.create(where, rt.sessionOptions) };
  }
  const externalData = await Promise.all(
    summary.externalData.map(async (location) => {
      if (!isPath) {
        const base = new URL(where, (globalThis as { location?: { href: string } }).location?.href).href;
        return { path: location, data: new URL(location, base).href };
      }
      const path = await loadModule<typeof import('node:path')>('node:path');
      return { path: location, data: await sourceBytes(path.join(path.dirname(where), location), 'external data file') };
    }),
  );
  return { name, summary, createSession: () => rt.ort.InferenceSession.create(bytes, { ...rt.sessionOptions, externalData }) };
}
