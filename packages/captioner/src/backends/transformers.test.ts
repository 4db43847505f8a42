/**
 * @jest-environment ./test/onnx-environment.cjs
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { TransformersCaptioner } from './transformers';
import { CaptionModelError } from '../errors';
import { imageRecordCaptioner } from '../record-captioner';
import { runCaptionJob } from '../job/run-caption-job';

/**
 * A real model: test-data/tiny-captioner/model is a ViT + GPT-2 VisionEncoderDecoder (hidden 32)
 * trained and exported to ONNX by build_tiny_captioner.py; expected.json holds PyTorch's greedy
 * decoding of each test image (token ids and text) and the step-0 logits of the first image.
 */
const FIXTURE = resolve(__dirname, '..', '..', 'test-data', 'tiny-captioner');
const MODEL = join(FIXTURE, 'model');

interface Expected {
  max_new_tokens: number;
  cases: { image: string; truth: string; token_ids: number[]; text: string; step0_logits?: number[] }[];
}

describe('TransformersCaptioner with a real (tiny) vision-encoder-decoder model on ONNX Runtime', () => {
  let expected: Expected;
  let captioner: TransformersCaptioner;
  beforeAll(async () => {
    expected = JSON.parse(await readFile(join(FIXTURE, 'expected.json'), 'utf8')) as Expected;
    captioner = new TransformersCaptioner({ modelDir: MODEL, batchSize: 3 });
  });
  afterAll(async () => {
    await captioner.close();
  });

  it('generates the same token ids as greedy decoding in PyTorch', async () => {
    const images = expected.cases.map((c) => join(FIXTURE, c.image));
    const ids = await captioner.generateIds(images, expected.max_new_tokens);
    expect(ids).toEqual(expected.cases.map((c) => c.token_ids));
  });

  it('captions match PyTorch (and the pictures): batched, from paths, bytes and raw pixels', async () => {
    const paths = expected.cases.map((c) => join(FIXTURE, c.image));
    const bytes = new Uint8Array(await readFile(paths[1]!));
    const sharp = (await import('sharp')).default;
    const { data, info } = await sharp(paths[2]!).raw().toBuffer({ resolveWithObject: true });
    const raw = { data: new Uint8Array(data), width: info.width, height: info.height, channels: info.channels as 3 };
    const captions = await captioner.caption([paths[0]!, bytes, raw, paths[3]!], { prompt: 'ignored by image-to-text models', maxTokens: expected.max_new_tokens });
    expect(captions).toEqual(expected.cases.map((c) => c.text));
    // The tiny model really captions: PyTorch's greedy output is the picture's true caption.
    expect(expected.cases.map((c) => c.text)).toEqual(expected.cases.map((c) => c.truth));
  });

  it('runs the exported graph to the same step-0 logits as PyTorch (max abs error < 1e-4)', async () => {
    const tjs = await import('@huggingface/transformers');
    const model = await tjs.AutoModelForVision2Seq.from_pretrained(MODEL, { local_files_only: true, dtype: 'fp32', device: 'cpu' });
    const processor = await tjs.AutoProcessor.from_pretrained(MODEL, { local_files_only: true });
    const image = await tjs.RawImage.read(join(FIXTURE, expected.cases[0]!.image));
    const { pixel_values } = await processor(image);
    const out = (await model({ pixel_values, decoder_input_ids: new tjs.Tensor('int64', BigInt64Array.from([2n]), [1, 1]) })) as { logits: { data: Float32Array; dims: number[] } };
    const want = expected.cases[0]!.step0_logits!;
    expect(out.logits.dims).toEqual([1, 1, want.length]);
    const err = Math.max(...want.map((v, i) => Math.abs(v - out.logits.data[i]!)));
    expect(err).toBeLessThan(1e-4);
    await model.dispose();
  });

  it('keeps remote downloads off and fails one bad image alone', async () => {
    const tjs = await import('@huggingface/transformers');
    expect(tjs.env.allowRemoteModels).toBe(false);
    const results = await captioner.captionSettled([join(FIXTURE, expected.cases[0]!.image), join(FIXTURE, 'missing.png')], { prompt: '', maxTokens: 10 });
    expect(results[0]).toEqual({ ok: true, caption: expected.cases[0]!.text });
    expect(results[1]!.ok).toBe(false);
  });

  it('captions a manifest through runCaptionJob (prompt recorded as null)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'capt-tjs-'));
    try {
      const manifest = join(dir, 'm.jsonl');
      await writeFile(manifest, expected.cases.map((c, i) => JSON.stringify({ id: `t${i}`, image: join(FIXTURE, c.image) })).join('\n') + '\n');
      const out = join(dir, 'out.jsonl');
      const summary = await runCaptionJob({ manifest, out, captioner: imageRecordCaptioner(captioner, { usesPrompt: false, maxTokens: { short: 10 } }), batchSize: 2 });
      expect(summary).toMatchObject({ captioned: 4, failed: [] });
      const lines = (await readFile(out, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { synthetic_caption: string; caption_provenance: { prompt: unknown[]; backend: string; model: string } });
      expect(lines.map((l) => l.synthetic_caption)).toEqual(expected.cases.map((c) => c.text));
      expect(lines[0]!.caption_provenance).toMatchObject({ backend: 'transformers', model: 'model', prompt: [null] });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('explains what is wrong with a model folder or a missing package', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'capt-tjs-bad-'));
    try {
      await expect(new TransformersCaptioner({ modelDir: dir }).load()).rejects.toThrow(/has no config.json/);
      await writeFile(join(dir, 'config.json'), '{"model_type":"florence2"}');
      await writeFile(join(dir, 'preprocessor_config.json'), '{}');
      await writeFile(join(dir, 'tokenizer.json'), '{}');
      await expect(new TransformersCaptioner({ modelDir: dir }).load()).rejects.toThrow(/"florence2" model/);
      const missing = new TransformersCaptioner({ modelDir: MODEL, importModule: () => Promise.reject(new Error("Cannot find module '@huggingface/transformers'")) });
      await expect(missing.load()).rejects.toBeInstanceOf(CaptionModelError);
      await expect(missing.load()).rejects.toThrow(/npm install @huggingface\/transformers/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
