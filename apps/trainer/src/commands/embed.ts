import type { Command } from 'commander';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend, TipsError } from '@tips/runtime';
import { loadVisionCheckpoint } from '@tips/vit-core';
import { parseConfigOption } from '../io/config-option';
import { loadImageForModel, parseSize } from '../io/image-input';
import { l2NormaliseRows, rows, writeNpyFile } from '../io/output';

interface EmbedOptions {
  vision?: string;
  text?: string;
  tokenizer?: string;
  variant?: string;
  config?: string;
  image?: string[];
  size?: string;
  format: 'json' | 'npy';
  patches?: boolean;
  out?: string;
}

class EmbedUsageError extends TipsError {
  constructor(message: string) {
    super('EMBED_USAGE', message);
  }
}

async function embedImages(opts: EmbedOptions, backend?: string): Promise<void> {
  if (!opts.image?.length) throw new EmbedUsageError('give --image PATH (one or more) with --vision');
  await initBackend({ backend });
  const model = await loadVisionCheckpoint(opts.vision!, { variant: opts.variant, config: parseConfigOption(opts.config, EmbedUsageError), trainable: false });
  const native = model.config.posGrid * model.config.patchSize;
  const [H, W] = opts.size ? parseSize(opts.size) : [native, native];
  const D = model.config.embedDim;
  const pixels = new Float32Array(opts.image.length * H * W * 3);
  for (let i = 0; i < opts.image.length; i++) pixels.set(await loadImageForModel(opts.image[i]!, [H, W]), i * H * W * 3);
  const B = opts.image.length;
  const input = tf.tensor4d(pixels, [B, H, W, 3]);
  const out = model.forward(input);
  const cls1 = l2NormaliseRows(out.cls1.dataSync() as Float32Array, D);
  const cls2 = l2NormaliseRows(out.cls2.dataSync() as Float32Array, D);
  const N = out.grid[0] * out.grid[1];
  const patches = opts.patches ? (out.patches.dataSync() as Float32Array) : null;
  tf.dispose([input, out.cls1, out.cls2, out.patches]);
  model.dispose();
  if (opts.format === 'npy') {
    const prefix = opts.out ?? 'embedding';
    await writeNpyFile(`${prefix}.cls1.npy`, cls1, [B, D]);
    await writeNpyFile(`${prefix}.cls2.npy`, cls2, [B, D]);
    if (patches) await writeNpyFile(`${prefix}.patches.npy`, patches, [B, N, D]);
    process.stderr.write(`wrote ${prefix}.cls1.npy, ${prefix}.cls2.npy${patches ? `, ${prefix}.patches.npy` : ''}\n`);
    return;
  }
  const records = Array.from({ length: B }, (_, i) => ({
    image: opts.image![i],
    cls1: Array.from(cls1.subarray(i * D, (i + 1) * D)),
    cls2: Array.from(cls2.subarray(i * D, (i + 1) * D)),
    ...(patches ? { patches: rows(patches.subarray(i * N * D, (i + 1) * N * D), N, D) } : {}),
    grid: out.grid,
  }));
  process.stdout.write(`${JSON.stringify(B === 1 ? records[0] : records)}\n`);
}

export function registerEmbed(program: Command): void {
  program
    .command('embed')
    .description('Embed images (--vision) or texts (--text) with a TIPS checkpoint (official .npz, HF safetensors or ours)')
    .option('--vision <ckpt>', 'image-tower checkpoint')
    .option('--text <ckpt>', 'text-tower checkpoint')
    .option('--tokenizer <model>', 'SentencePiece tokenizer.model (with --text)')
    .option('--variant <name>', 'preset: S, B, L, So400m, g (inferred from the file when possible)')
    .option('--config <json>', 'custom tower configuration as JSON (overrides the preset)')
    .option('--image <paths...>', 'image file(s): PNG, JPEG, WebP')
    .option('--size <N|HxW>', "input size (multiples of 14); default: the checkpoint's native size")
    .option('--format <json|npy>', 'json to stdout, or .npy files (see --out)', 'json')
    .option('--patches', 'also output the patch tokens')
    .option('--out <prefix>', 'with --format npy: write <prefix>.cls1.npy, <prefix>.cls2.npy, <prefix>.patches.npy')
    .argument('[texts...]', 'texts to embed (with --text)')
    .action(async (texts: string[], opts: EmbedOptions, cmd: Command) => {
      const backend = cmd.optsWithGlobals().tfBackend as string | undefined;
      if (opts.format !== 'json' && opts.format !== 'npy') throw new EmbedUsageError(`--format must be json or npy, not ${opts.format}`);
      if (opts.vision) return embedImages(opts, backend);
      if (opts.text) {
        const { embedTexts } = await import('./embed-text');
        return embedTexts({ ...opts, texts }, backend);
      }
      throw new EmbedUsageError('give --vision CKPT with --image, or --text CKPT with --tokenizer and texts');
    });
}
