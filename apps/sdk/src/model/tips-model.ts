import { ModelLoadError, SdkInputError } from '../errors';
import { graphOptionsOf } from '../export-options';
import { l2Normalize, meanNormalized, softmax, topK } from '../math/similarity';
import { loadOrt, type OrtBackend, type OrtRuntime } from '../ort/runtime';
import { decodeImage } from '../preprocess/decode';
import { isPixelTensor, type ImageInput } from '../preprocess/image-input';
import { rgbToModelInput } from '../preprocess/pixels';
import { pcaImage, type PcaImage } from './pca-image';
import { loadTower } from './load-tower';
import { sourceName } from './sources';
import type { DenseFeatures, EmbedImageOptions, ImageEmbedding, LabelScore, RetrievalHit, RetrievalItem, SegmentationResult, TipsLoadOptions, ZeroShotOptions } from './types';
import { TextTower } from './text-tower';
import { loadTokenizer, tokenizeBatch, type TokenizerLike } from './tokenizer';
import { VisionTower } from './vision-tower';

export type { DenseFeatures, EmbedImageOptions, ImageEmbedding, LabelScore, RetrievalHit, RetrievalItem, SegmentationResult, TipsLoadOptions, ZeroShotOptions } from './types';

const DEFAULT_TEMPLATE = 'a photo of a {}.';
const DEFAULT_TEMPERATURE = 0.01;

function sizeOf(size: number | [number, number]): [number, number] {
  return Array.isArray(size) ? [size[0], size[1]] : [size, size];
}

/**
 * TIPS inference on ONNX Runtime, in Node (onnxruntime-node when installed, else onnxruntime-web)
 * and browsers (onnxruntime-web). Load once, then embed images and texts, classify zero-shot,
 * retrieve, get dense features, zero-shot segmentation maps and PCA feature images. Everything
 * returned is plain typed arrays owned by the caller; call dispose() to free the sessions.
 */
export class TipsModel {
  private constructor(
    private readonly runtime: OrtRuntime,
    private readonly vision: VisionTower | null,
    private readonly text: TextTower | null,
    private readonly tokenizer: TokenizerLike | null,
    private readonly options: TipsLoadOptions,
  ) {}

  static async load(options: TipsLoadOptions): Promise<TipsModel> {
    if (!options.vision && !options.text) throw new ModelLoadError('TipsModel.load needs at least one of vision and text (an .onnx file or a checkpoint)');
    if (options.text && !options.tokenizer) throw new ModelLoadError('a text tower needs its tokenizer: pass tokenizer (TIPS tokenizer.model)');
    const runtime = await loadOrt(options);
    const graph = graphOptionsOf(options);
    const vision = options.vision
      ? await loadTower(
          options.vision,
          'image tower',
          runtime,
          (f) => VisionTower.fromOnnx(f, runtime),
          (s) =>
            VisionTower.fromCheckpoint(s, runtime, {
              ...graph,
              ...(options.variant ? { variant: options.variant } : {}),
              ...(options.visionConfig ? { config: options.visionConfig } : {}),
              ...(options.imageSize !== undefined ? { size: options.imageSize } : {}),
              ...(options.sessionCacheSize ? { cacheSize: options.sessionCacheSize } : {}),
              name: sourceName(options.vision!),
            }),
        )
      : null;
    const text = options.text
      ? await loadTower(
          options.text,
          'text tower',
          runtime,
          (f) => TextTower.fromOnnx(f, runtime),
          (s) =>
            TextTower.fromCheckpoint(s, runtime, {
              ...graph,
              ...(options.variant ? { variant: options.variant } : {}),
              ...(options.textHeads ? { heads: options.textHeads } : {}),
              name: sourceName(options.text!),
            }),
        )
      : null;
    const tokenizer = options.tokenizer ? await loadTokenizer(options.tokenizer) : null;
    if (vision && text && vision.embedDim !== text.embedDim) {
      throw new ModelLoadError(`the image tower is ${vision.embedDim} wide and the text tower ${text.embedDim}: they are not a pair (use the vision and text files of the same TIPS variant)`);
    }
    return new TipsModel(runtime, vision, text, tokenizer, options);
  }

  /** 'node' (onnxruntime-node) or 'web' (onnxruntime-web, WebAssembly). */
  get backend(): OrtBackend {
    return this.runtime.backend;
  }

  /** The size images are resized to, [H, W]. */
  get imageSize(): [number, number] {
    return this.needVision().defaultSize;
  }

  get embedDim(): number {
    return (this.vision ?? this.text)!.embedDim;
  }

  /** The temperature zero-shot scores use. */
  get temperature(): number {
    return this.options.temperature ?? this.text?.temperature ?? DEFAULT_TEMPERATURE;
  }

  private needVision(): VisionTower {
    if (!this.vision) throw new SdkInputError('this model was loaded without an image tower; pass vision to TipsModel.load');
    return this.vision;
  }

  private needText(): { text: TextTower; tokenizer: TokenizerLike } {
    if (!this.text || !this.tokenizer) throw new SdkInputError('this model was loaded without a text tower; pass text and tokenizer to TipsModel.load');
    return { text: this.text, tokenizer: this.tokenizer };
  }

  /**
   * Embeds one image or a batch. Images are decoded, resized to the model size (Pillow-exact
   * bilinear, as the official preprocessing) and run `batchSize` at a time.
   */
  embedImage(images: ImageInput[], options?: EmbedImageOptions): Promise<ImageEmbedding[]>;
  embedImage(image: ImageInput, options?: EmbedImageOptions): Promise<ImageEmbedding>;
  async embedImage(input: ImageInput | ImageInput[], options: EmbedImageOptions = {}): Promise<ImageEmbedding | ImageEmbedding[]> {
    const list = Array.isArray(input) ? input : [input];
    const out = await this.embedImages(list, options);
    return Array.isArray(input) ? out : out[0]!;
  }

  private async embedImages(images: ImageInput[], options: EmbedImageOptions): Promise<ImageEmbedding[]> {
    const vision = this.needVision();
    if (images.length === 0) return [];
    const [H, W] = options.size !== undefined ? sizeOf(options.size) : vision.defaultSize;
    const D = vision.embedDim;
    const p = vision.patchSize;
    const h = H / p;
    const w = W / p;
    const N = h * w;
    const batchSize = Math.max(1, this.options.batchSize ?? 8);
    const results: ImageEmbedding[] = [];
    for (let start = 0; start < images.length; start += batchSize) {
      const chunk = images.slice(start, start + batchSize);
      const pixels = new Float32Array(chunk.length * 3 * H * W);
      for (let i = 0; i < chunk.length; i++) {
        const decoded = await decodeImage(chunk[i]!);
        if (isPixelTensor(decoded)) {
          if (decoded.height !== H || decoded.width !== W || decoded.pixels.length !== 3 * H * W) {
            throw new SdkInputError(`pixel tensor ${start + i} is ${decoded.width}×${decoded.height}; float pixels must already be the model size ${W}×${H} (3·H·W values, CHW)`);
          }
          pixels.set(decoded.pixels, i * 3 * H * W);
        } else {
          pixels.set(rgbToModelInput(decoded, H, W), i * 3 * H * W);
        }
      }
      const out = await vision.run(pixels, chunk.length, H, W);
      for (let i = 0; i < chunk.length; i++) {
        results.push({
          cls1: l2Normalize(out.cls1.subarray(i * D, (i + 1) * D)),
          cls2: l2Normalize(out.cls2.subarray(i * D, (i + 1) * D)),
          patches: out.patches.slice(i * N * D, (i + 1) * N * D),
          grid: [h, w],
          dim: D,
        });
      }
    }
    return results;
  }

  /** The embedding of one image, or the one given. */
  private async embedOne(image: ImageInput | ImageEmbedding, options: EmbedImageOptions = {}): Promise<ImageEmbedding> {
    return isImageEmbedding(image) ? image : this.embedImage(image as ImageInput, options);
  }

  /** Embeds texts (L2-normalised); `template` wraps each text first ('{}' is replaced). */
  embedText(texts: string[], options?: { template?: string }): Promise<Float32Array[]>;
  embedText(text: string, options?: { template?: string }): Promise<Float32Array>;
  async embedText(input: string | string[], options: { template?: string } = {}): Promise<Float32Array | Float32Array[]> {
    const list = Array.isArray(input) ? input : [input];
    const texts = options.template ? list.map((t) => applyTemplate(options.template!, t)) : list;
    const raw = await this.embedTextRaw(texts);
    const out = raw.map((e) => l2Normalize(e));
    return Array.isArray(input) ? out : out[0]!;
  }

  /** Pooled text embeddings before L2 normalisation (what the official TextEncoder returns). */
  async embedTextRaw(texts: string[]): Promise<Float32Array[]> {
    const { text, tokenizer } = this.needText();
    texts.forEach((t, i) => {
      if (typeof t !== 'string') throw new SdkInputError(`text ${i} is a ${typeof t}, not a string`);
    });
    const out: Float32Array[] = [];
    const batchSize = 64;
    for (let start = 0; start < texts.length; start += batchSize) {
      const b = tokenizeBatch(tokenizer, texts.slice(start, start + batchSize), text.maxLen, text.vocabSize);
      const emb = await text.run(b.ids, b.paddings, b.batch, b.len);
      for (let i = 0; i < b.batch; i++) out.push(emb.slice(i * text.embedDim, (i + 1) * text.embedDim));
    }
    return out;
  }

  /** One normalised embedding per label, averaged over the templates. */
  async labelEmbeddings(labels: string[], template: string | string[] = DEFAULT_TEMPLATE): Promise<Float32Array[]> {
    if (labels.length === 0) throw new SdkInputError('labels is empty; pass at least one label');
    const templates = Array.isArray(template) ? template : [template];
    if (templates.length === 0) throw new SdkInputError('template is an empty list; pass at least one template such as "a photo of a {}."');
    const prompts = labels.flatMap((l) => templates.map((t) => applyTemplate(t, l)));
    const emb = (await this.embedTextRaw(prompts)).map((e) => l2Normalize(e));
    return labels.map((_, i) => meanNormalized(emb.slice(i * templates.length, (i + 1) * templates.length)));
  }

  /**
   * Zero-shot classification: softmax over labels of cos(image CLS, label text) / temperature,
   * sorted best first (the official demo's scoring).
   */
  async zeroShot(image: ImageInput | ImageEmbedding, labels: string[], options: ZeroShotOptions = {}): Promise<LabelScore[]> {
    const [img, texts] = await Promise.all([this.embedOne(image), this.labelEmbeddings(labels, options.template)]);
    const v = img[options.cls ?? 'cls1'];
    const sims = texts.map((t) => dotF(v, t));
    const probs = softmax(sims, options.temperature ?? this.temperature);
    return labels.map((label, i) => ({ label, score: probs[i]!, similarity: sims[i]! })).sort((a, b) => b.score - a.score);
  }

  private async embedItems(items: RetrievalItem[]): Promise<Float32Array[]> {
    const out: (Float32Array | undefined)[] = new Array(items.length);
    const texts: number[] = [];
    const images: number[] = [];
    items.forEach((it, i) => {
      if (it instanceof Float32Array) out[i] = l2Normalize(it, 0);
      else if (typeof it === 'string' && this.text && !(this.vision && looksLikeImageRef(it))) texts.push(i);
      else images.push(i);
    });
    if (texts.length) (await this.embedText(texts.map((i) => items[i] as string))).forEach((e, k) => (out[texts[k]!] = e));
    if (images.length) (await this.embedImage(images.map((i) => items[i] as ImageInput))).forEach((e, k) => (out[images[k]!] = e.cls1));
    return out as Float32Array[];
  }

  /**
   * For each query, the k most similar gallery items by cosine similarity. Queries and gallery items
   * may be texts, images (their cls1) or embeddings. A string is a text when a text tower is loaded,
   * unless it looks like an image path/URL (…png/jpg/jpeg/webp/gif/bmp/tif/avif) and an image tower is loaded.
   */
  async retrieve(queries: RetrievalItem[], gallery: RetrievalItem[], k = 5): Promise<RetrievalHit[][]> {
    const [q, g] = await Promise.all([this.embedItems(queries), this.embedItems(gallery)]);
    return q.map((qv) => {
      const scores = g.map((gv) => dotF(qv, gv));
      return topK(scores, k).map((index) => ({ index, score: scores[index]! }));
    });
  }

  /** Patch features of one image, [h·w, D], optionally L2-normalised per patch. */
  async denseFeatures(image: ImageInput | ImageEmbedding, options: EmbedImageOptions & { normalize?: boolean } = {}): Promise<DenseFeatures> {
    const e = await this.embedOne(image, options);
    const features = options.normalize ? e.patches.slice() : e.patches;
    if (options.normalize) {
      for (let p = 0; p < e.grid[0] * e.grid[1]; p++) features.set(l2Normalize(features.subarray(p * e.dim, (p + 1) * e.dim)), p * e.dim);
    }
    return { features, grid: e.grid, dim: e.dim };
  }

  /** Zero-shot segmentation: cosine similarity of every (L2-normalised) patch token with every label embedding. */
  async zeroShotSegment(image: ImageInput | ImageEmbedding, labels: string[], options: Omit<ZeroShotOptions, 'cls' | 'temperature'> & EmbedImageOptions = {}): Promise<SegmentationResult> {
    const [dense, texts] = await Promise.all([this.denseFeatures(image, { ...options, normalize: true }), this.labelEmbeddings(labels, options.template)]);
    const [h, w] = dense.grid;
    const P = h * w;
    const D = dense.dim;
    const similarity = new Float32Array(labels.length * P);
    const labelMap = new Int32Array(P);
    for (let p = 0; p < P; p++) {
      const f = dense.features.subarray(p * D, (p + 1) * D);
      let best = 0;
      for (let c = 0; c < labels.length; c++) {
        const s = dotF(f, texts[c]!);
        similarity[c * P + p] = s;
        if (s > similarity[best * P + p]!) best = c;
      }
      labelMap[p] = best;
    }
    return { labels: [...labels], grid: dense.grid, similarity, labelMap };
  }

  /**
   * The first three principal components of the image's patch tokens as an RGB image at patch-grid
   * resolution (the official demo's visualisation: whitened PCA, sigmoid(2·z)).
   */
  async pcaFeatures(image: ImageInput | ImageEmbedding, options: EmbedImageOptions = {}): Promise<PcaImage> {
    const e = await this.embedOne(image, options);
    return pcaImage(e.patches, e.grid, e.dim);
  }

  /** Releases every ONNX Runtime session. The model cannot be used afterwards. */
  async dispose(): Promise<void> {
    await Promise.all([this.vision?.dispose(), this.text?.dispose()]);
  }
}

/** True for an ImageEmbedding returned by embedImage (accepted wherever an image is, to skip re-running the tower). */
export function isImageEmbedding(x: unknown): x is ImageEmbedding {
  const e = x as ImageEmbedding;
  return typeof x === 'object' && x !== null && e.cls1 instanceof Float32Array && e.patches instanceof Float32Array && Array.isArray(e.grid);
}

function dotF(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

function applyTemplate(template: string, text: string): string {
  return template.includes('{}') ? template.split('{}').join(text) : `${template} ${text}`;
}

function looksLikeImageRef(s: string): boolean {
  return /\.(png|jpe?g|webp|gif|bmp|tiff?|avif)(\?.*)?$/i.test(s) || s.startsWith('data:image/');
}
