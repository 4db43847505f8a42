import type { InferenceSession } from 'onnxruntime-web';
import { ModelLoadError, SdkInputError } from '../errors';
import type { VisionExportOptions } from '../export';
import { graphOptionsOf } from '../export-options';
import type { OnnxFile } from '../ort/onnx-file';
import { VISION_IO } from '../onnx/vision-graph';
import type { OrtRuntime } from '../ort/runtime';
import { SerialQueue, SessionCache } from '../ort/session-cache';
import type { ModelSource } from './sources';

/** Raw outputs of one batch, row-major. */
export interface VisionBatchOutput {
  cls1: Float32Array;
  cls2: Float32Array;
  patches: Float32Array;
}

/**
 * The image tower on ONNX Runtime. From an ONNX file it has one fixed input size. From a checkpoint
 * it exports a graph for each size asked for (position embeddings resized at export) and keeps up to
 * `cacheSize` sessions, least recently used first out.
 */
export class VisionTower {
  private readonly queue = new SerialQueue();

  private constructor(
    private readonly rt: OrtRuntime,
    private readonly sessions: SessionCache<InferenceSession>,
    readonly embedDim: number,
    readonly patchSize: number,
    /** The size images are resized to unless a call asks for another. */
    readonly defaultSize: [number, number],
    /** The bytes of an ONNX file (fixed or dynamic size), or an exporter over a checkpoint's weights. */
    private readonly source: { onnx: OnnxFile; dynamic: boolean } | { build: (size: [number, number]) => Uint8Array },
  ) {}

  static async fromOnnx(file: OnnxFile, rt: OrtRuntime): Promise<VisionTower> {
    const s = file.summary;
    const name = file.name;
    const input = s.inputs.find((i) => i.name === VISION_IO.input);
    const cls1 = s.outputs.find((o) => o.name === VISION_IO.cls1);
    if (!input || !cls1 || s.metadata['tips.kind'] === 'text') {
      throw new ModelLoadError(`${name} is not a TIPS image-tower ONNX file (needs input '${VISION_IO.input}' and outputs cls1, cls2, patches); export one with: tips export --vision CKPT`);
    }
    const D = Number(cls1.dims[1]);
    const patch = Number(s.metadata['tips.patch_size'] ?? 14);
    let [, , H, W] = input.dims;
    const dynamic = typeof H !== 'number' || typeof W !== 'number';
    if (dynamic) {
      const m = /^(\d+)x(\d+)$/.exec(s.metadata['tips.image_size'] ?? '');
      [H, W] = m ? [Number(m[1]), Number(m[2])] : [224, 224];
    }
    const tower = new VisionTower(rt, new SessionCache(1), D, patch, [H as number, W as number], { onnx: file, dynamic });
    await tower.session(H as number, W as number); // create now, so that a broken file fails at load time
    return tower;
  }

  static async fromCheckpoint(src: ModelSource, rt: OrtRuntime, options: VisionExportOptions & { cacheSize?: number }): Promise<VisionTower> {
    // Loaded on demand: checkpoint reading and ONNX export (protobuf writer, config resolvers).
    const { nativeSize, readVisionCheckpoint, visionOnnxFromWeights } = await import('../export');
    const weights = await readVisionCheckpoint(src, options);
    const o = options.size;
    const size: [number, number] = typeof o === 'number' ? [o, o] : Array.isArray(o) ? o : nativeSize(weights.config);
    const graph = graphOptionsOf(options);
    const build = (sz: [number, number]) => visionOnnxFromWeights(weights, sz, graph);
    const tower = new VisionTower(rt, new SessionCache(options.cacheSize ?? 2), weights.config.embedDim, weights.config.patchSize, size, { build });
    await tower.session(size[0], size[1]);
    return tower;
  }

  /** True when only `defaultSize` can run (an ONNX file exported for one size). */
  get fixedSize(): boolean {
    return 'onnx' in this.source && !this.source.dynamic;
  }

  private session(H: number, W: number): Promise<InferenceSession> {
    const src = this.source;
    if (H % this.patchSize !== 0 || W % this.patchSize !== 0 || H <= 0 || W <= 0) {
      throw new SdkInputError(`image size ${H}×${W} is not a positive multiple of the patch size ${this.patchSize}`);
    }
    if ('onnx' in src) {
      if (!src.dynamic && (H !== this.defaultSize[0] || W !== this.defaultSize[1])) {
        throw new SdkInputError(
          `this ONNX image tower was exported for ${this.defaultSize[0]}×${this.defaultSize[1]}; export another size (tips export --size ${H}x${W}), one for any size (--size dynamic), or load the checkpoint`,
        );
      }
      return this.sessions.get('onnx', () => src.onnx.createSession());
    }
    return this.sessions.get(`${H}x${W}`, () => this.rt.ort.InferenceSession.create(src.build([H, W]), this.rt.sessionOptions));
  }

  /** Runs one batch of model-ready pixels [B, 3, H, W]. */
  async run(pixels: Float32Array, batch: number, H: number, W: number): Promise<VisionBatchOutput> {
    const session = await this.session(H, W);
    return this.queue.run(async () => {
      const out = await session.run({ [VISION_IO.input]: new this.rt.ort.Tensor('float32', pixels, [batch, 3, H, W]) });
      const take = (name: string) => {
        const t = out[name]!;
        const data = Float32Array.from(t.data as Float32Array);
        t.dispose();
        return data;
      };
      return { cls1: take(VISION_IO.cls1), cls2: take(VISION_IO.cls2), patches: take(VISION_IO.patches) };
    });
  }

  async dispose(): Promise<void> {
    await this.sessions.dispose();
  }
}
