import type { VitConfig } from '@tips/vit-core/config';
import { loadTextWeights, type TextCheckpointOptions } from './checkpoint/text';
import { loadVisionWeights, type VisionCheckpointOptions } from './checkpoint/vision';
import { isNode } from './env';
import { ExportError } from './errors';
import type { ExternalDataSink } from './onnx/external-data';
import { graphOptionsOf, type GraphExportOptions } from './export-options';
import { buildTextGraph } from './onnx/text-graph';
import { buildVisionGraph } from './onnx/vision-graph';
import type { WeightMap } from './onnx/weights';
import { sourceBytes, sourceName, type ModelSource } from './model/sources';
import { SDK_VERSION } from './version';

export { graphOptionsOf, type GraphExportOptions };

/** Options of the file exporters (not of on-the-fly export in TipsModel). */
export interface FileExportOptions {
  /** Write the weights to an external data file beside the model (needed above 2 GB: the g/14 towers); the exporter fills the sink. */
  externalData?: ExternalDataSink;
  /** Progress: 'read' once the checkpoint is in memory, then 'block' after each transformer block. */
  onProgress?: (stage: 'read' | 'block', done: number, total: number) => void;
}

export interface VisionExportOptions extends VisionCheckpointOptions, GraphExportOptions, FileExportOptions {
  /**
   * Input size: a side (square) or [height, width], multiples of 14, fixed in the graph; or 'dynamic'
   * for one graph that takes any size (position-embedding resize in the graph, opset 18). Default:
   * the checkpoint's native size (position grid × 14: 224 for TIPS v1, 448 for v2).
   */
  size?: number | [number, number] | 'dynamic';
  /** Node only: a TIPSv2 config.json; by default the one beside a checkpoint path is used when present. */
  hfConfigPath?: string;
}

export interface TextExportOptions extends TextCheckpointOptions, GraphExportOptions, FileExportOptions {
  hfConfigPath?: string;
}

/** Parses a size option: 448, '448', '448x336', [448, 336]. */
export function parseSize(size: number | string | [number, number]): [number, number] {
  if (size === 'dynamic') throw new ExportError("size 'dynamic' is not a fixed size here; pass a number or HxW");
  if (Array.isArray(size)) return [size[0], size[1]];
  if (typeof size === 'number') return [size, size];
  const m = /^\s*(\d+)\s*(?:[x×,]\s*(\d+))?\s*$/i.exec(size);
  if (!m) throw new ExportError(`size '${size}' is not a number or HxW (e.g. 448 or 448x336)`);
  return [Number(m[1]), Number(m[2] ?? m[1])];
}

async function checkpointInput(src: ModelSource, what: string): Promise<string | Uint8Array> {
  if (typeof src === 'string' && isNode() && !/^(https?:|data:|blob:|file:)/i.test(src)) return src;
  return sourceBytes(src, what);
}

async function hfConfig(src: ModelSource, o: { hfConfig?: Record<string, unknown>; hfConfigPath?: string }): Promise<Record<string, unknown> | undefined> {
  if (o.hfConfig) return o.hfConfig;
  if (!isNode() || typeof src !== 'string' || /^(https?:|data:|blob:)/i.test(src)) return undefined;
  const { readHfConfigBeside } = await import('./node/hf-config');
  return readHfConfigBeside(src, o.hfConfigPath);
}

/** A loaded image tower, ready to be exported at any size. */
export interface VisionWeights {
  weights: WeightMap;
  config: VitConfig;
  name: string;
}

export async function readVisionCheckpoint(src: ModelSource, o: VisionExportOptions = {}): Promise<VisionWeights> {
  const hf = await hfConfig(src, o);
  return loadVisionWeights(await checkpointInput(src, 'image-tower checkpoint'), { ...o, ...(hf ? { hfConfig: hf } : {}), name: o.name ?? sourceName(src) });
}

/** The ONNX bytes of a loaded image tower at H×W (or any size with `dynamicSize`, H×W then being the default). */
export function visionOnnxFromWeights(
  v: VisionWeights,
  size: [number, number],
  o: GraphExportOptions & { externalData?: ExternalDataSink; dynamicSize?: boolean; onProgress?: (done: number, total: number) => void } = {},
): Uint8Array {
  return buildVisionGraph(v.weights, v.config, {
    height: size[0],
    width: size[1],
    ...o,
    producerVersion: SDK_VERSION,
    metadata: { 'tips.source': v.name.split(/[\\/]/).pop() ?? v.name },
  });
}

/** The default export size of a tower: its position grid × patch size. */
export function nativeSize(config: VitConfig): [number, number] {
  return [config.posGrid * config.patchSize, config.posGrid * config.patchSize];
}

/**
 * Exports the image tower of a checkpoint (official .npz, TIPSv2 HF safetensors, or our own
 * safetensors) as ONNX. Returns the file's bytes, the configuration and the size.
 */
export async function exportVisionOnnx(src: ModelSource, o: VisionExportOptions = {}): Promise<{ bytes: Uint8Array; config: VitConfig; size: [number, number] }> {
  const v = await readVisionCheckpoint(src, o);
  const dynamicSize = o.size === 'dynamic';
  const size = o.size !== undefined && o.size !== 'dynamic' ? parseSize(o.size) : nativeSize(v.config);
  o.onProgress?.('read', 0, v.config.depth);
  const graph = {
    ...graphOptionsOf(o),
    ...(o.externalData ? { externalData: o.externalData } : {}),
    ...(o.onProgress ? { onProgress: (d: number, t: number) => o.onProgress!('block', d, t) } : {}),
    dynamicSize,
  };
  return { bytes: visionOnnxFromWeights(v, size, graph), config: v.config, size };
}

/** Exports the text tower of a checkpoint as ONNX; the checkpoint's temperature goes into the metadata. */
export async function exportTextOnnx(src: ModelSource, o: TextExportOptions = {}): Promise<{ bytes: Uint8Array; temperature?: number }> {
  const hf = await hfConfig(src, o);
  const t = await loadTextWeights(await checkpointInput(src, 'text-tower checkpoint'), { ...o, ...(hf ? { hfConfig: hf } : {}), name: o.name ?? sourceName(src) });
  o.onProgress?.('read', 0, 0);
  const bytes = buildTextGraph(t.weights, t.config, {
    ...graphOptionsOf(o),
    ...(o.externalData ? { externalData: o.externalData } : {}),
    ...(o.onProgress ? { onProgress: (d: number, n: number) => o.onProgress!('block', d, n) } : {}),
    producerVersion: SDK_VERSION,
    ...(t.temperature !== undefined ? { temperature: t.temperature } : {}),
    metadata: { 'tips.source': t.name.split(/[\\/]/).pop() ?? t.name },
  });
  return { bytes, ...(t.temperature !== undefined ? { temperature: t.temperature } : {}) };
}
