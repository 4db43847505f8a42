import { floatToHalf } from '@tips/runtime/core';
import { ExportError } from '../errors';
import { appendExternal, MAX_INLINE_BYTES, type ExternalDataSink } from './external-data';
import {
  ATTRIBUTE_TYPE,
  DATA_TYPE,
  encodeModel,
  type AttributeProtoObject,
  type NodeProtoObject,
  type OnnxDType,
  type TensorProtoObject,
  type ValueInfoProtoObject,
} from './proto';

/** An attribute value with its ONNX type spelled out (ONNX tells INT from FLOAT; JS numbers do not). */
export type Attr =
  | { kind: 'i'; value: number }
  | { kind: 'f'; value: number }
  | { kind: 'ints'; value: number[] }
  | { kind: 'floats'; value: number[] }
  | { kind: 's'; value: string };

export const attr = {
  i: (value: number): Attr => ({ kind: 'i', value }),
  f: (value: number): Attr => ({ kind: 'f', value }),
  ints: (value: number[]): Attr => ({ kind: 'ints', value }),
  floats: (value: number[]): Attr => ({ kind: 'floats', value }),
  s: (value: string): Attr => ({ kind: 's', value }),
};

/** A dimension: a number, or a name for a dynamic one ('batch'). */
export type Dim = number | string;

export type WeightDType = 'float32' | 'float16';

export interface GraphBuilderOptions {
  /** How float weights are stored: float32, or float16 (each followed by a Cast to float32, folded by ORT at load). */
  weightDtype?: WeightDType;
  /** Write large initializers to an external data file (needed above 2 GB) instead of into the model. */
  externalData?: ExternalDataSink;
}

export interface ModelOptions {
  opset: number;
  /** Extra opset domains, e.g. { 'com.microsoft': 1 } when fused contrib ops are used. */
  extraOpsets?: Record<string, number>;
  producerVersion: string;
  docString?: string;
  metadata?: Record<string, string>;
}

/** IR version that goes with the opsets we emit (IR 8 = ONNX 1.10+, opsets ≤ 18 are allowed). */
const IR_VERSION = 8;

function attributeProto(name: string, a: Attr): AttributeProtoObject {
  switch (a.kind) {
    case 'i':
      return { name, type: ATTRIBUTE_TYPE.INT, i: a.value };
    case 'f':
      return { name, type: ATTRIBUTE_TYPE.FLOAT, f: a.value };
    case 'ints':
      return { name, type: ATTRIBUTE_TYPE.INTS, ints: a.value };
    case 'floats':
      return { name, type: ATTRIBUTE_TYPE.FLOATS, floats: a.value };
    case 's':
      return { name, type: ATTRIBUTE_TYPE.STRING, s: new TextEncoder().encode(a.value) };
  }
}

function bytesOf(data: ArrayBufferView): Uint8Array {
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

function toHalf(data: Float32Array): Uint16Array {
  const out = new Uint16Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = floatToHalf(data[i]!);
  return out;
}

/**
 * Builds an ONNX graph node by node: named values, initializers (weights and constants), typed
 * attributes, graph inputs and outputs; `toModel` serialises it as a ModelProto through the official
 * schema. Names are made unique by a per-prefix counter, so op-group helpers can be called repeatedly.
 */
export class GraphBuilder {
  readonly weightDtype: WeightDType;
  private readonly nodes: NodeProtoObject[] = [];
  private readonly initializers: TensorProtoObject[] = [];
  private readonly inputs: ValueInfoProtoObject[] = [];
  private readonly outputs: ValueInfoProtoObject[] = [];
  private readonly used = new Map<string, number>();
  private readonly constants = new Map<string, string>();
  /** Bytes of weights stored (after any float16 conversion). */
  weightBytes = 0;
  private readonly external: ExternalDataSink | undefined;

  constructor(options: GraphBuilderOptions = {}) {
    this.weightDtype = options.weightDtype ?? 'float32';
    this.external = options.externalData;
  }

  /** A fresh value name starting with `base`. */
  name(base: string): string {
    const n = this.used.get(base) ?? 0;
    this.used.set(base, n + 1);
    return n === 0 ? base : `${base}_${n}`;
  }

  input(name: string, dtype: OnnxDType, dims: Dim[]): string {
    this.inputs.push(this.valueInfo(name, dtype, dims));
    this.used.set(name, 1);
    return name;
  }

  /** Declares `value` as a graph output called `name` (an Identity renames it when the names differ). */
  output(value: string, name: string, dtype: OnnxDType, dims: Dim[]): void {
    if (value !== name) this.node('Identity', [value], [name]);
    this.outputs.push(this.valueInfo(name, dtype, dims));
  }

  /**
   * A float weight: stored as float32, or as float16 followed by a Cast to float32 when the builder
   * stores half-precision weights. Returns the name of the float32 value.
   */
  weight(base: string, data: Float32Array, dims: number[]): string {
    if (this.weightDtype === 'float32') return this.initializer(base, 'float32', data, dims);
    const half = this.initializer(`${base}_f16`, 'float16', toHalf(data), dims);
    return this.op('Cast', [half], { to: attr.i(DATA_TYPE.float32) }, base);
  }

  /** A constant stored exactly as given (shapes, axes, epsilons); equal constants are shared. */
  constant(base: string, dtype: OnnxDType, data: ArrayBufferView, dims: number[]): string {
    const raw = bytesOf(data);
    const key = raw.byteLength <= 64 ? `${dtype}:${dims.join('x')}:${raw.join(',')}` : null;
    const hit = key ? this.constants.get(key) : undefined;
    if (hit) return hit;
    const name = this.initializer(base, dtype, data, dims);
    if (key) this.constants.set(key, name);
    return name;
  }

  /** int64 1-D constant (shapes, axes, starts/ends). */
  ints(base: string, values: number[]): string {
    return this.constant(base, 'int64', BigInt64Array.from(values.map((v) => BigInt(v))), [values.length]);
  }

  /** float32 scalar constant. */
  scalar(base: string, value: number): string {
    return this.constant(base, 'float32', Float32Array.of(value), []);
  }

  private initializer(base: string, dtype: OnnxDType, data: ArrayBufferView, dims: number[]): string {
    const name = this.name(base);
    const raw = bytesOf(data);
    this.weightBytes += raw.byteLength;
    if (this.external && raw.byteLength >= (this.external.threshold ?? 1024)) {
      this.initializers.push({ name, dims, data_type: DATA_TYPE[dtype], data_location: 1, external_data: appendExternal(this.external, raw) });
    } else {
      this.initializers.push({ name, dims, data_type: DATA_TYPE[dtype], raw_data: raw });
    }
    return name;
  }

  /** Adds a node with explicit output names. */
  node(opType: string, inputs: string[], outputs: string[], attrs: Record<string, Attr> = {}, domain?: string): string[] {
    this.nodes.push({
      name: this.name(`${opType}_node`),
      op_type: opType,
      ...(domain ? { domain } : {}),
      input: inputs,
      output: outputs,
      attribute: Object.entries(attrs).map(([k, v]) => attributeProto(k, v)),
    });
    return outputs;
  }

  /** Adds a one-output node and returns its (fresh) output name. */
  op(opType: string, inputs: string[], attrs: Record<string, Attr> = {}, base?: string, domain?: string): string {
    const out = this.name(base ?? opType.toLowerCase());
    this.node(opType, inputs, [out], attrs, domain);
    return out;
  }

  /** Adds a node with `count` outputs named `${base}_k`. */
  multi(opType: string, inputs: string[], count: number, attrs: Record<string, Attr> = {}, base?: string): string[] {
    const stem = base ?? opType.toLowerCase();
    const outs = Array.from({ length: count }, (_, k) => this.name(`${stem}_${k}`));
    return this.node(opType, inputs, outs, attrs);
  }

  private valueInfo(name: string, dtype: OnnxDType, dims: Dim[]): ValueInfoProtoObject {
    return {
      name,
      type: {
        tensor_type: {
          elem_type: DATA_TYPE[dtype],
          shape: { dim: dims.map((d) => (typeof d === 'number' ? { dim_value: d } : { dim_param: d })) },
        },
      },
    };
  }

  /** Serialises the graph as an ONNX ModelProto (external initializers are in the sink, not here). */
  toModel(graphName: string, options: ModelOptions): Uint8Array {
    const inline = this.weightBytes - (this.external?.bytes ?? 0);
    if (inline > MAX_INLINE_BYTES) {
      throw new ExportError(
        `the weights take ${(inline / 2 ** 30).toFixed(2)} GB, more than one ONNX file can hold (2 GB); write them as external data (tips export --external-data, automatic above 1.9 GB) and load the .onnx file by path`,
      );
    }
    const opsets = [{ domain: '', version: options.opset }];
    for (const [domain, version] of Object.entries(options.extraOpsets ?? {})) opsets.push({ domain, version });
    return encodeModel({
      ir_version: IR_VERSION,
      opset_import: opsets,
      producer_name: 'tips-ts',
      producer_version: options.producerVersion,
      ...(options.docString ? { doc_string: options.docString } : {}),
      graph: { name: graphName, node: this.nodes, initializer: this.initializers, input: this.inputs, output: this.outputs },
      metadata_props: Object.entries(options.metadata ?? {}).map(([key, value]) => ({ key, value })),
    });
  }
}
