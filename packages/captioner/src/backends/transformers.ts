import { access, readFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { asError, BaseCaptioner, type CaptionImage, type CaptionOptions, type CaptionResult, type RawPixels } from '../captioner';
import { CaptionConfigError, CaptionModelError } from '../errors';
import { toRgbPixels } from '../images/image-bytes';
import { ConcurrencyLimiter } from './limiter';

/**
 * The parts of @huggingface/transformers (transformers.js) this backend uses. Declared here so that
 * the package builds and its types stand without the optional dependency installed.
 */
interface TjsTensor {
  dims: number[];
  tolist(): unknown[];
  dispose?(): void;
}
interface TjsModule {
  env: { allowRemoteModels: boolean; allowLocalModels: boolean };
  RawImage: new (data: Uint8Array | Uint8ClampedArray, width: number, height: number, channels: 1 | 2 | 3 | 4) => unknown;
  AutoProcessor: { from_pretrained(id: string, opts: Record<string, unknown>): Promise<(images: unknown[]) => Promise<{ pixel_values: TjsTensor }>> };
  AutoTokenizer: { from_pretrained(id: string, opts: Record<string, unknown>): Promise<TjsTokenizer> };
  AutoModelForVision2Seq: { from_pretrained(id: string, opts: Record<string, unknown>): Promise<TjsModel> };
}
interface TjsTokenizer {
  batch_decode(ids: bigint[][] | number[][], opts: { skip_special_tokens: boolean }): string[];
}
interface TjsModel {
  config: Record<string, unknown>;
  generation_config?: Record<string, unknown>;
  generate(args: Record<string, unknown>): Promise<TjsTensor>;
  dispose(): Promise<unknown>;
}

export interface TransformersCaptionerOptions {
  /**
   * Local model folder in the transformers.js layout: config.json, generation_config.json,
   * preprocessor_config.json, tokenizer.json, tokenizer_config.json and onnx/encoder_model*.onnx,
   * onnx/decoder_model_merged*.onnx (e.g. a download of Xenova/vit-gpt2-image-captioning).
   */
  modelDir: string;
  /** ONNX Runtime device: 'cpu' (default), 'cuda', 'dml', 'coreml', 'webgpu', 'auto'. */
  device?: string;
  /** Weights variant: 'fp32' (default; onnx/*.onnx), 'fp16', 'q8', 'int8', 'uint8', 'q4', 'q4f16', 'bnb4' (file suffixes). */
  dtype?: string;
  /** Let transformers.js download files missing from modelDir from the Hugging Face Hub (default false). */
  allowRemoteModels?: boolean;
  /** Images per generate() call (default 8). */
  batchSize?: number;
  /** Name written to provenance (default: the folder name). */
  modelName?: string;
  /** Loads the module (default: dynamic import of '@huggingface/transformers'). */
  importModule?: () => Promise<unknown>;
}

const REQUIRED_FILES = ['config.json', 'preprocessor_config.json', 'tokenizer.json'];

/** Dynamic import of the optional dependency, with a typed error that says how to install it. */
export async function loadTransformersModule(importModule?: () => Promise<unknown>): Promise<TjsModule> {
  try {
    const m = (await (importModule ? importModule() : import('@huggingface/transformers'))) as TjsModule & { default?: TjsModule };
    return m.AutoModelForVision2Seq ? m : (m.default as TjsModule);
  } catch (e) {
    throw new CaptionModelError(
      `The transformers backend needs the optional package @huggingface/transformers, which could not be loaded (${asError(e).message}). ` +
        'Install it with `npm install @huggingface/transformers`, or use --backend openai or template.',
      { cause: e },
    );
  }
}

/**
 * Captions with a local image-to-text model through transformers.js on ONNX Runtime: the
 * vision-encoder-decoder family (ViT-GPT2, TrOCR-style models, and any model exported in the same
 * layout). Such models take no text prompt: `options.prompt` is ignored (provenance records null).
 * Greedy decoding, `maxTokens` new tokens at most; a batch is one generate() call, each sequence
 * cut at its first end-of-sequence token. Remote downloads are off unless `allowRemoteModels`.
 */
export class TransformersCaptioner extends BaseCaptioner {
  readonly backend = 'transformers';
  readonly model: string;
  readonly modelDir: string;
  private loaded?: Promise<{ tjs: TjsModule; processor: (images: unknown[]) => Promise<{ pixel_values: TjsTensor }>; tokenizer: TjsTokenizer; model: TjsModel; eos: Set<number> }>;
  private readonly limiter = new ConcurrencyLimiter(1);

  constructor(private readonly options: TransformersCaptionerOptions) {
    super();
    if (!options.modelDir) throw new CaptionConfigError('The transformers backend needs a local model folder (--model /path/to/model).');
    this.modelDir = resolve(options.modelDir);
    this.model = options.modelName ?? basename(this.modelDir);
    if (options.batchSize !== undefined && !(Number.isInteger(options.batchSize) && options.batchSize >= 1)) {
      throw new CaptionConfigError(`batchSize must be an integer ≥ 1, got ${options.batchSize}.`);
    }
  }

  /** Loads processor, tokenizer and ONNX sessions once (later calls share the promise). */
  async load(): Promise<void> {
    await this.ensureLoaded();
  }

  private ensureLoaded() {
    this.loaded ??= this.doLoad();
    return this.loaded;
  }

  private async doLoad() {
    const remote = this.options.allowRemoteModels ?? false;
    if (!remote) {
      for (const f of REQUIRED_FILES) {
        try {
          await access(join(this.modelDir, f));
        } catch {
          throw new CaptionModelError(
            `Model folder ${this.modelDir} has no ${f}. A transformers.js image-to-text model folder holds ${REQUIRED_FILES.join(', ')}, ` +
              'tokenizer_config.json, generation_config.json and onnx/encoder_model.onnx + onnx/decoder_model_merged.onnx.',
          );
        }
      }
      const config = JSON.parse(await readFile(join(this.modelDir, 'config.json'), 'utf8')) as { model_type?: string };
      if (config.model_type !== 'vision-encoder-decoder') {
        throw new CaptionModelError(
          `Model folder ${this.modelDir} holds a "${config.model_type ?? 'unknown'}" model; the transformers backend runs vision-encoder-decoder image-to-text models (e.g. ViT-GPT2). ` +
            'Serve other VLMs with vLLM/Ollama and use --backend openai.',
        );
      }
    }
    const tjs = await loadTransformersModule(this.options.importModule);
    tjs.env.allowRemoteModels = remote;
    tjs.env.allowLocalModels = true;
    const common = { local_files_only: !remote };
    try {
      const [processor, tokenizer, model] = await Promise.all([
        tjs.AutoProcessor.from_pretrained(this.modelDir, common),
        tjs.AutoTokenizer.from_pretrained(this.modelDir, common),
        tjs.AutoModelForVision2Seq.from_pretrained(this.modelDir, { ...common, device: this.options.device ?? 'cpu', dtype: this.options.dtype ?? 'fp32' }),
      ]);
      const eosRaw = model.generation_config?.eos_token_id ?? model.config.eos_token_id ?? (model.config.decoder as Record<string, unknown> | undefined)?.eos_token_id;
      const eos = new Set<number>((Array.isArray(eosRaw) ? eosRaw : eosRaw === undefined ? [] : [eosRaw]).map(Number));
      return { tjs, processor, tokenizer, model, eos };
    } catch (e) {
      throw new CaptionModelError(`Cannot load the model in ${this.modelDir} with transformers.js: ${asError(e).message}`, { cause: e });
    }
  }

  async captionSettled(images: readonly CaptionImage[], options: CaptionOptions): Promise<CaptionResult[]> {
    const { tjs, processor, tokenizer, model, eos } = await this.ensureLoaded();
    const results: CaptionResult[] = new Array(images.length);
    // Decode every image first so that one bad file fails alone.
    const pixels: (RawPixels | undefined)[] = await Promise.all(
      images.map(async (img, i) => {
        try {
          return await toRgbPixels(img);
        } catch (e) {
          results[i] = { ok: false, error: asError(e) };
          return undefined;
        }
      }),
    );
    const good = pixels.flatMap((p, i) => (p ? [i] : []));
    const batchSize = this.options.batchSize ?? 8;
    for (let start = 0; start < good.length; start += batchSize) {
      if (options.signal?.aborted) throw options.signal.reason;
      const idx = good.slice(start, start + batchSize);
      try {
        const captions = await this.limiter.run(() =>
          this.generate(tjs, processor, tokenizer, model, eos, idx.map((i) => pixels[i]!), options.maxTokens),
        );
        idx.forEach((i, k) => (results[i] = { ok: true, caption: captions[k]! }));
      } catch (e) {
        const err = new CaptionModelError(`transformers.js generation failed for a batch of ${idx.length} image(s): ${asError(e).message}`, { cause: e });
        idx.forEach((i) => (results[i] = { ok: false, error: err }));
      }
    }
    return results;
  }

  /** Token ids of greedy generation, each row starting with the decoder start token and cut after the first EOS. */
  async generateIds(images: readonly CaptionImage[], maxTokens: number): Promise<number[][]> {
    const { tjs, processor, model, eos } = await this.ensureLoaded();
    const pixels = await Promise.all(images.map((i) => toRgbPixels(i)));
    return this.limiter.run(() => this.generateRaw(tjs, processor, model, eos, pixels, maxTokens));
  }

  private async generateRaw(
    tjs: TjsModule,
    processor: (images: unknown[]) => Promise<{ pixel_values: TjsTensor }>,
    model: TjsModel,
    eos: Set<number>,
    pixels: RawPixels[],
    maxTokens: number,
  ): Promise<number[][]> {
    const raw = pixels.map((p) => new tjs.RawImage(p.data, p.width, p.height, 3));
    const { pixel_values } = await processor(raw);
    try {
      const out = await model.generate({ inputs: pixel_values, max_new_tokens: maxTokens, do_sample: false, num_beams: 1 });
      try {
        return (out.tolist() as (bigint | number)[][]).map((row) => {
          const ids = row.map(Number);
          // ids[0] is the decoder start token; cut after the first EOS that follows it.
          const end = ids.findIndex((t, k) => k > 0 && eos.has(t));
          return end >= 0 ? ids.slice(0, end + 1) : ids;
        });
      } finally {
        out.dispose?.();
      }
    } finally {
      pixel_values.dispose?.();
    }
  }

  private async generate(
    tjs: TjsModule,
    processor: (images: unknown[]) => Promise<{ pixel_values: TjsTensor }>,
    tokenizer: TjsTokenizer,
    model: TjsModel,
    eos: Set<number>,
    pixels: RawPixels[],
    maxTokens: number,
  ): Promise<string[]> {
    const ids = await this.generateRaw(tjs, processor, model, eos, pixels, maxTokens);
    return tokenizer.batch_decode(ids.map((r) => r.map((t) => BigInt(t))), { skip_special_tokens: true }).map((s) => s.trim());
  }

  async close(): Promise<void> {
    const loaded = this.loaded;
    this.loaded = undefined;
    if (loaded) await (await loaded.catch(() => undefined))?.model.dispose();
  }
}
