import type { InferenceSession } from 'onnxruntime-web';
import type { TextExportOptions } from '../export';
import { ModelLoadError } from '../errors';
import { openOnnx, type OnnxFile } from '../ort/onnx-file';
import { TEXT_IO } from '../onnx/text-graph';
import type { OrtRuntime } from '../ort/runtime';
import { SerialQueue } from '../ort/session-cache';
import type { ModelSource } from './sources';

/** The text tower on ONNX Runtime: ids + paddings → pooled embedding (before L2 normalisation). */
export class TextTower {
  private readonly queue = new SerialQueue();

  private constructor(
    private readonly rt: OrtRuntime,
    private readonly session: InferenceSession,
    readonly embedDim: number,
    readonly maxLen: number,
    readonly vocabSize: number | undefined,
    /** The checkpoint's contrastive temperature, when the file carried one. */
    readonly temperature: number | undefined,
  ) {}

  static async fromOnnx(file: OnnxFile, rt: OrtRuntime): Promise<TextTower> {
    const s = file.summary;
    const name = file.name;
    const out = s.outputs.find((o) => o.name === TEXT_IO.embedding);
    if (!out || !s.inputs.some((i) => i.name === TEXT_IO.ids) || s.metadata['tips.kind'] === 'vision') {
      throw new ModelLoadError(`${name} is not a TIPS text-tower ONNX file (needs inputs ids, paddings and output embedding); export one with: tips export --text CKPT`);
    }
    const num = (k: string) => (s.metadata[k] !== undefined ? Number(s.metadata[k]) : undefined);
    const session = await file.createSession();
    return new TextTower(rt, session, Number(out.dims[1]), num('tips.max_len') ?? 64, num('tips.vocab_size'), num('tips.temperature'));
  }

  static async fromCheckpoint(src: ModelSource, rt: OrtRuntime, options: TextExportOptions): Promise<TextTower> {
    const { exportTextOnnx } = await import('../export');
    const { bytes } = await exportTextOnnx(src, options);
    return TextTower.fromOnnx(await openOnnx(bytes, bytes, rt), rt);
  }

  /** Runs ids [B, L] (int64) and paddings [B, L]. */
  async run(ids: BigInt64Array, paddings: Float32Array, batch: number, len: number): Promise<Float32Array> {
    return this.queue.run(async () => {
      const out = await this.session.run({
        [TEXT_IO.ids]: new this.rt.ort.Tensor('int64', ids, [batch, len]),
        [TEXT_IO.paddings]: new this.rt.ort.Tensor('float32', paddings, [batch, len]),
      });
      const t = out[TEXT_IO.embedding]!;
      const data = Float32Array.from(t.data as Float32Array);
      t.dispose();
      return data;
    });
  }

  async dispose(): Promise<void> {
    await this.session.release();
  }
}
