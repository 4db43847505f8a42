import { ExportError } from '../errors';
import type { ExternalDataSink } from './external-data';
import type { WeightDType } from './graph';
import type { AttentionImpl } from './ops-attention';

/** Options both tower graphs take. */
export interface TowerGraphOptions {
  weightDtype?: WeightDType;
  attention?: AttentionImpl;
  /** ONNX opset (≥ 17, LayerNormalization). */
  opset?: number;
  producerVersion?: string;
  /** Extra metadata_props entries. */
  metadata?: Record<string, string>;
  /** Write the weights to an external data file (required above 2 GB); the builder fills the sink. */
  externalData?: ExternalDataSink;
  /** Called after each transformer block with (blocks done, blocks in all). */
  onProgress?: (done: number, total: number) => void;
}

/** The opset a tower graph is written with: `requested`, else `min`; refused below `min` (needed for `why`). */
export function towerOpset(requested: number | undefined, min: number, why: string): number {
  const opset = requested ?? min;
  if (!Number.isInteger(opset) || opset < min) throw new ExportError(`opset ${opset} is too old: ${why} needs opset ${min} or newer`);
  return opset;
}
