/**
 * Where large initializers go when a model is written with ONNX external data: one file beside the
 * model (`location`, relative to the model file), filled in order by the graph builder. A single
 * ONNX protobuf cannot exceed 2 GB, which the float32 (4.5 GB) and float16 (2.3 GB) g/14 image
 * towers do; with external data the .onnx file holds only the graph.
 */
export interface ExternalDataSink {
  /** File name of the data file, relative to the .onnx file (e.g. 'tips-g14-vision.onnx.data'). */
  location: string;
  /** Initializers at least this large go to the file (default 1024 bytes). */
  threshold?: number;
  /** Filled by the builder: the file's contents, in order (write them one after the other). */
  chunks: Uint8Array[];
  /** Filled by the builder: total length of `chunks`. */
  bytes: number;
}

/** Offsets are aligned to 4 KiB pages, so that ONNX Runtime can memory-map the tensors. */
const ALIGN = 4096;

/** Appends `raw` to the sink and returns its external_data entries. */
export function appendExternal(sink: ExternalDataSink, raw: Uint8Array): { key: string; value: string }[] {
  const pad = (ALIGN - (sink.bytes % ALIGN)) % ALIGN;
  if (pad) {
    sink.chunks.push(new Uint8Array(pad));
    sink.bytes += pad;
  }
  const offset = sink.bytes;
  sink.chunks.push(raw);
  sink.bytes += raw.byteLength;
  return [
    { key: 'location', value: sink.location },
    { key: 'offset', value: String(offset) },
    { key: 'length', value: String(raw.byteLength) },
  ];
}

/** The largest protobuf ONNX Runtime parses (INT_MAX), less a margin for the graph itself. */
export const MAX_INLINE_BYTES = 2 ** 31 - 1 - 64 * 2 ** 20;
