import type * as OrtWeb from 'onnxruntime-web';
import { isNode } from '../env';
import { ModelLoadError } from '../errors';
import { loadModule } from '@tips/runtime/core';

/** The ONNX Runtime API both packages share (onnxruntime-common). */
export type Ort = typeof OrtWeb;

/** Which ONNX Runtime runs the sessions. */
export type OrtBackend = 'node' | 'web';

export interface OrtChoice {
  /** 'auto' (default): onnxruntime-node in Node when installed, else onnxruntime-web (wasm). */
  backend?: OrtBackend | 'auto';
  /** CPU threads for one session run (onnxruntime-node intra-op threads; wasm threads for onnxruntime-web where supported). */
  threads?: number;
  /** onnxruntime-web only: where its .wasm/.mjs files are served from (a URL prefix such as '/ort/'). */
  wasmPaths?: string;
}

export interface OrtRuntime {
  ort: Ort;
  backend: OrtBackend;
  sessionOptions: OrtWeb.InferenceSession.SessionOptions;
}

async function loadWeb(choice: OrtChoice): Promise<OrtRuntime> {
  // Browsers: the WebAssembly-only build (the default one also carries WebGPU/WebNN code and asks for
  // the .jsep files). Node: the package's Node build, imported so that bundlers do not pull it in.
  const mod = (isNode() ? await loadModule('onnxruntime-web') : await import('onnxruntime-web/wasm')) as Ort & { default?: Ort };
  const ort = (mod.InferenceSession ? mod : mod.default) as Ort;
  if (choice.wasmPaths) ort.env.wasm.wasmPaths = choice.wasmPaths;
  if (choice.threads) ort.env.wasm.numThreads = choice.threads;
  return { ort, backend: 'web', sessionOptions: { executionProviders: ['wasm'], graphOptimizationLevel: 'all' } };
}

async function loadNode(choice: OrtChoice): Promise<OrtRuntime> {
  const mod = await loadModule<Ort & { default?: Ort }>('onnxruntime-node');
  const ort = (mod.InferenceSession ? mod : mod.default) as Ort;
  const sessionOptions: OrtWeb.InferenceSession.SessionOptions = { executionProviders: ['cpu'], graphOptimizationLevel: 'all' };
  if (choice.threads) sessionOptions.intraOpNumThreads = choice.threads;
  return { ort, backend: 'node', sessionOptions };
}

/**
 * Loads ONNX Runtime: onnxruntime-node (native, multithreaded) in Node when it is installed and
 * not refused, else onnxruntime-web (WebAssembly) — the only choice in browsers.
 */
export async function loadOrt(choice: OrtChoice = {}): Promise<OrtRuntime> {
  const want = choice.backend ?? 'auto';
  if (want === 'node' && !isNode()) throw new ModelLoadError("backend 'node' (onnxruntime-node) only runs in Node; use 'web' or 'auto' in browsers");
  if (want === 'web' || !isNode()) return loadWeb(choice);
  try {
    return await loadNode(choice);
  } catch (e) {
    if (want === 'node') {
      throw new ModelLoadError(`onnxruntime-node could not be loaded (${(e as Error).message}); install it (npm i onnxruntime-node) or use backend 'web'`, { cause: e });
    }
    return loadWeb(choice);
  }
}
