import { open, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Command } from 'commander';
import { TipsError, withAtomicFile, writeFileAtomic } from '@tips/runtime';
import { exportTextOnnx, exportVisionOnnx, parseSize, summarizeModel, type ExternalDataSink, type GraphExportOptions } from '@tips/sdk';
import { parseConfigOption } from '../io/config-option';

interface ExportOptions {
  vision?: string;
  text?: string;
  out: string;
  variant?: string;
  size?: string;
  config?: string;
  hfConfig?: string;
  heads?: string;
  fp16?: boolean;
  attention?: string;
  opset?: string;
  externalData?: boolean;
}

/** Above this many bytes of weights the model is written with external data (one ONNX file holds at most 2 GB). */
const EXTERNAL_ABOVE = 1.9e9;

async function externalSink(o: ExportOptions, checkpoint: string): Promise<ExternalDataSink | undefined> {
  const size = (await stat(checkpoint).catch(() => null))?.size ?? 0;
  const weights = o.fp16 ? size / 2 : size;
  if (!o.externalData && weights < EXTERNAL_ABOVE) return undefined;
  return { location: `${basename(o.out)}.data`, chunks: [], bytes: 0 };
}

/** Progress on stderr: the read time, then blocks done with their rate and the time left. */
function progress(started: number): (stage: 'read' | 'block', done: number, total: number) => void {
  let blocksFrom = started;
  return (stage, done, total) => {
    const now = Date.now();
    if (stage === 'read') {
      blocksFrom = now;
      process.stderr.write(`tips export: checkpoint read in ${((now - started) / 1000).toFixed(1)} s\n`);
      return;
    }
    const per = (now - blocksFrom) / 1000 / done;
    process.stderr.write(`tips export: block ${done}/${total} (${per.toFixed(2)} s/block, about ${Math.ceil(per * (total - done))} s left)\n`);
  };
}

/** Writes the external data file (atomically, chunk by chunk) before the model that points to it. */
async function writeExternal(path: string, sink: ExternalDataSink): Promise<void> {
  await withAtomicFile(path, async (tmp) => {
    const fh = await open(tmp, 'w');
    try {
      for (const chunk of sink.chunks) await fh.write(chunk);
      await fh.sync();
    } finally {
      await fh.close();
    }
  });
}

class ExportUsageError extends TipsError {
  constructor(message: string) {
    super('EXPORT_USAGE', message);
  }
}

function graphOptions(o: ExportOptions): GraphExportOptions {
  if (o.attention !== undefined && o.attention !== 'matmul' && o.attention !== 'com.microsoft') {
    throw new ExportUsageError(`--attention must be matmul or com.microsoft, not ${o.attention}`);
  }
  const opset = o.opset !== undefined ? Number(o.opset) : undefined;
  if (opset !== undefined && !(Number.isInteger(opset) && opset >= 17)) throw new ExportUsageError(`--opset must be an integer ≥ 17 (LayerNormalization), not ${o.opset}`);
  return {
    weightDtype: o.fp16 ? 'float16' : 'float32',
    ...(o.attention ? { attention: o.attention as GraphExportOptions['attention'] } : {}),
    ...(opset ? { opset } : {}),
  };
}

async function run(o: ExportOptions): Promise<void> {
  if (!!o.vision === !!o.text) throw new ExportUsageError('give exactly one of --vision CKPT or --text CKPT (export the towers one at a time)');
  const started = Date.now();
  const graph = graphOptions(o);
  const sink = await externalSink(o, (o.vision ?? o.text)!);
  const onProgress = progress(started);
  let bytes: Uint8Array;
  let what: string;
  if (o.vision) {
    const config = parseConfigOption(o.config, ExportUsageError);
    const r = await exportVisionOnnx(o.vision, {
      ...graph,
      ...(o.variant ? { variant: o.variant } : {}),
      ...(config ? { config } : {}),
      ...(o.size ? { size: o.size === 'dynamic' ? ('dynamic' as const) : parseSize(o.size) } : {}),
      ...(o.hfConfig ? { hfConfigPath: o.hfConfig } : {}),
      ...(sink ? { externalData: sink } : {}),
      onProgress,
    });
    bytes = r.bytes;
    what = `image tower ${r.config.embedDim}-wide, ${r.config.depth} blocks, ${o.size === 'dynamic' ? 'any input size' : `${r.size[0]}×${r.size[1]} input`}`;
  } else {
    const heads = o.heads !== undefined ? Number(o.heads) : undefined;
    if (heads !== undefined && !(Number.isInteger(heads) && heads > 0)) throw new ExportUsageError(`--heads must be a positive integer, not ${o.heads}`);
    const r = await exportTextOnnx(o.text!, {
      ...graph,
      ...(o.variant ? { variant: o.variant } : {}),
      ...(heads ? { heads } : {}),
      ...(o.hfConfig ? { hfConfigPath: o.hfConfig } : {}),
      ...(sink ? { externalData: sink } : {}),
      onProgress,
    });
    bytes = r.bytes;
    what = `text tower${r.temperature !== undefined ? `, temperature ${r.temperature}` : ''}`;
  }
  if (sink) await writeExternal(`${o.out}.data`, sink);
  await writeFileAtomic(o.out, bytes);
  const s = summarizeModel(bytes);
  const opset = s.opsets.find((x) => x.domain === '')?.version;
  const data = sink ? ` + ${o.out}.data (${(sink.bytes / 1048576).toFixed(1)} MB of weights)` : '';
  process.stderr.write(`tips export: wrote ${o.out} (${(bytes.length / 1048576).toFixed(1)} MB)${data}: ${what}, opset ${opset}, ${graph.weightDtype} weights; ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}

export function registerExport(program: Command): void {
  program
    .command('export')
    .description('Export the image (--vision) or text (--text) tower of a TIPS checkpoint (official .npz, HF safetensors or ours) as an ONNX model')
    .option('--vision <ckpt>', 'image-tower checkpoint')
    .option('--text <ckpt>', 'text-tower checkpoint (its temperature is kept in the ONNX metadata)')
    .requiredOption('--out <file.onnx>', 'output ONNX file (written to a temp file, then renamed)')
    .option('--variant <name>', 'preset: S, B, L, So400m, g (inferred from the file when possible)')
    .option('--size <N|HxW|dynamic>', "image tower input size, multiples of 14, fixed in the graph; 'dynamic' for any size (in-graph position resize, opset 18); default: the checkpoint's native size (224 for v1, 448 for v2)")
    .option('--config <json>', 'image tower: custom configuration as JSON (overrides the preset)')
    .option('--hf-config <config.json>', 'TIPSv2 Hugging Face config.json (default: the one beside the checkpoint, if any)')
    .option('--heads <n>', 'text tower: attention heads, for widths that are not a published preset')
    .option('--fp16', 'store the weights as float16 (half the file; computed in float32)')
    .option('--attention <impl>', 'matmul (default: plain ONNX ops) or com.microsoft (ONNX Runtime fused Attention)')
    .option('--opset <n>', 'ONNX opset (≥ 17, default 17; 18 with --size dynamic)')
    .option('--external-data', 'write the weights to FILE.data beside the model (automatic above 1.9 GB, e.g. the g/14 towers)')
    .action(async (opts: ExportOptions) => run(opts));
}
