import protobuf from 'protobufjs/light.js';
import schema from './onnx-schema.json';

/**
 * The ONNX protobuf messages, from the official onnx.proto (vendored in schema/, turned into a
 * protobufjs JSON descriptor by scripts/gen-onnx-schema.mjs). protobufjs/light encodes and decodes
 * with reflection, so this works the same in Node and browsers.
 */
let root: protobuf.Root | null = null;

function onnxRoot(): protobuf.Root {
  root ??= protobuf.Root.fromJSON(schema as protobuf.INamespace);
  return root;
}

/** ONNX TensorProto.DataType values used here. */
export const DATA_TYPE = { float32: 1, uint8: 2, int32: 6, int64: 7, bool: 9, float16: 10 } as const;
export type OnnxDType = keyof typeof DATA_TYPE;

/** AttributeProto.AttributeType values. */
export const ATTRIBUTE_TYPE = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, FLOATS: 6, INTS: 7 } as const;

export interface TensorProtoObject {
  name: string;
  dims: number[];
  data_type: number;
  raw_data?: Uint8Array;
  data_location?: number;
  external_data?: { key: string; value: string }[];
}

export interface AttributeProtoObject {
  name: string;
  type: number;
  f?: number;
  i?: number;
  s?: Uint8Array;
  t?: TensorProtoObject;
  floats?: number[];
  ints?: number[];
}

export interface NodeProtoObject {
  name: string;
  op_type: string;
  domain?: string;
  input: string[];
  output: string[];
  attribute: AttributeProtoObject[];
}

export interface ValueInfoProtoObject {
  name: string;
  type: { tensor_type: { elem_type: number; shape: { dim: ({ dim_value: number } | { dim_param: string })[] } } };
}

export interface ModelProtoObject {
  ir_version: number;
  opset_import: { domain: string; version: number }[];
  producer_name: string;
  producer_version: string;
  doc_string?: string;
  graph: {
    name: string;
    node: NodeProtoObject[];
    initializer: TensorProtoObject[];
    input: ValueInfoProtoObject[];
    output: ValueInfoProtoObject[];
  };
  metadata_props: { key: string; value: string }[];
}

/** Serialises a ModelProto (plain object in the schema's snake_case field names) to bytes. */
export function encodeModel(model: ModelProtoObject): Uint8Array {
  const type = onnxRoot().lookupType('onnx.ModelProto');
  const message = type.fromObject(model);
  return type.encode(message).finish();
}

/** What a reader of our exported files needs: the graph's I/O and the model's metadata. */
export interface ModelSummary {
  irVersion: number;
  opsets: { domain: string; version: number }[];
  inputs: { name: string; elemType: number; dims: (number | string)[] }[];
  outputs: { name: string; elemType: number; dims: (number | string)[] }[];
  metadata: Record<string, string>;
  initializerCount: number;
  /** Files holding external initializers (relative to the model file); empty when all weights are inside. */
  externalData: string[];
  nodeCount: number;
  opTypes: string[];
}

interface DecodedValueInfo {
  name: string;
  type?: { tensor_type?: { elem_type?: number; shape?: { dim?: { dim_value?: unknown; dim_param?: string }[] } } };
}

function valueInfo(v: DecodedValueInfo): ModelSummary['inputs'][number] {
  const t = v.type?.tensor_type;
  const dims = (t?.shape?.dim ?? []).map((d) => (d.dim_param ? d.dim_param : Number(d.dim_value ?? 0)));
  return { name: v.name, elemType: t?.elem_type ?? 0, dims };
}

const PLAIN = { longs: Number, defaults: false, arrays: true } as const;

/**
 * Reads an ONNX file's I/O, opsets and metadata without decoding the initializers (a B/14 file is
 * 350 MB of weights): walks ModelProto and GraphProto field by field with protobufjs's Reader and
 * skips everything else.
 */
export function summarizeModel(bytes: Uint8Array): ModelSummary {
  const r = onnxRoot();
  const ValueInfo = r.lookupType('onnx.ValueInfoProto');
  const Opset = r.lookupType('onnx.OperatorSetIdProto');
  const Entry = r.lookupType('onnx.StringStringEntryProto');
  const Node = r.lookupType('onnx.NodeProto');
  const Tensor = r.lookupType('onnx.TensorProto');
  const summary: ModelSummary = { irVersion: 0, opsets: [], inputs: [], outputs: [], metadata: {}, initializerCount: 0, externalData: [], nodeCount: 0, opTypes: [] };
  const external = new Set<string>();
  const ops = new Set<string>();
  const reader = protobuf.Reader.create(bytes);
  while (reader.pos < reader.len) {
    const tag = reader.uint32();
    const field = tag >>> 3;
    if (field === 1 && (tag & 7) === 0) summary.irVersion = Number(reader.int64());
    else if (field === 8) {
      const o = Opset.toObject(Opset.decode(reader, reader.uint32()), PLAIN) as { domain?: string; version?: number };
      summary.opsets.push({ domain: o.domain ?? '', version: Number(o.version ?? 0) });
    } else if (field === 14) {
      const e = Entry.toObject(Entry.decode(reader, reader.uint32()), PLAIN) as { key: string; value: string };
      summary.metadata[e.key] = e.value;
    } else if (field === 7) {
      const end = reader.uint32() + reader.pos;
      while (reader.pos < end) {
        const gtag = reader.uint32();
        const gfield = gtag >>> 3;
        if (gfield === 11 || gfield === 12) {
          const v = valueInfo(ValueInfo.toObject(ValueInfo.decode(reader, reader.uint32()), PLAIN) as DecodedValueInfo);
          (gfield === 11 ? summary.inputs : summary.outputs).push(v);
        } else if (gfield === 1) {
          const n = Node.toObject(Node.decode(reader, reader.uint32()), PLAIN) as { op_type: string; domain?: string };
          ops.add(n.domain ? `${n.domain}.${n.op_type}` : n.op_type);
          summary.nodeCount++;
        } else if (gfield === 5) {
          // Decoding a TensorProto views its raw_data without copying it.
          const t = Tensor.decode(reader, reader.uint32()) as unknown as { data_location?: number; external_data?: { key: string; value: string }[] };
          summary.initializerCount++;
          if (t.data_location === 1) for (const e of t.external_data ?? []) if (e.key === 'location') external.add(e.value);
        } else {
          reader.skipType(gtag & 7);
        }
      }
    } else reader.skipType(tag & 7);
  }
  summary.opTypes = [...ops].sort();
  summary.externalData = [...external];
  return summary;
}
