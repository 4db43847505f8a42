import { TipsModel, type ImageEmbedding, type TipsLoadOptions } from '@tips/sdk';
import type { Embedder, ImageVectors } from './embedder';
import { CurateImageError } from './errors';

/**
 * The SDK as an Embedder: image tower (cls1, cls2) and text tower from any TIPS checkpoint or ONNX
 * export, on onnxruntime-node when installed (else onnxruntime-web), batched.
 */
export class SdkEmbedder implements Embedder {
  private constructor(
    private readonly model: TipsModel,
    readonly name: string,
  ) {}

  /** Loads vision + text towers; `batchSize` is images per ONNX Runtime run (the SDK's option). */
  static async load(options: TipsLoadOptions): Promise<SdkEmbedder> {
    const model = await TipsModel.load(options);
    const name = [options.vision, options.text].filter((x) => typeof x === 'string').join(' + ') || 'TIPS model';
    return new SdkEmbedder(model, name);
  }

  get dim(): number {
    return this.model.embedDim;
  }

  async embedImages(paths: string[]): Promise<ImageVectors[]> {
    let out: ImageEmbedding[];
    try {
      out = await this.model.embedImage(paths);
    } catch (e) {
      throw new CurateImageError(`could not embed images ${paths.slice(0, 3).join(', ')}${paths.length > 3 ? ', …' : ''}: ${(e as Error).message}; fix or remove the bad image, then re-run`, { cause: e });
    }
    return out.map((e) => ({ cls1: e.cls1, cls2: e.cls2 }));
  }

  async embedTexts(texts: string[]): Promise<Float32Array[]> {
    if (!texts.length) return [];
    return (await this.model.embedText(texts)) as Float32Array[];
  }

  async close(): Promise<void> {
    await this.model.dispose();
  }
}
