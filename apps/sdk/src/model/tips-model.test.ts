import { ModelLoadError, SdkInputError } from '../errors';
import { exportVisionOnnx } from '../export';
import { f32, maxAbsDiff, normalized, officialTiny, readIo, sdkTestData, textReference, TINY_MLP_CONFIG } from '../test-utils';
import { TipsModel } from './tips-model';

// The SDK end to end in Node against independent references: the official PyTorch outputs for the
// fixture pictures (decoded from their PNGs with sharp) and the official text tower's outputs for
// texts tokenized by the reference SentencePiece library (test-data/make_text_reference.py).
const TOL = 1e-4;

describe('TipsModel on official-tiny checkpoints (onnxruntime-node)', () => {
  let model: TipsModel;
  let io: Awaited<ReturnType<typeof readIo>>;

  beforeAll(async () => {
    model = await TipsModel.load({
      vision: officialTiny('tiny_mlp_vision.npz'),
      text: officialTiny('tiny_text.npz'),
      tokenizer: sdkTestData('tiny-spm.model'),
      visionConfig: TINY_MLP_CONFIG,
      textHeads: 2,
      backend: 'node',
    });
    io = await readIo(officialTiny('tiny_mlp_vision_io.npz'));
  });
  afterAll(() => model.dispose());

  test('defaults: native size from the position grid, backend, width', () => {
    expect(model.imageSize).toEqual([56, 56]);
    expect(model.backend).toBe('node');
    expect(model.embedDim).toBe(32);
  });

  test('embedImage on the fixture PNGs equals the official outputs, for 56×56, 28×28 and 84×56', async () => {
    const sizes: [number, number][] = [
      [56, 56],
      [28, 28],
      [84, 56],
    ];
    for (let i = 0; i < 3; i++) {
      const e = await model.embedImage(officialTiny(`tiny_mlp_image_${i}.png`), { size: sizes[i]! });
      expect(e.grid).toEqual([sizes[i]![0] / 14, sizes[i]![1] / 14]);
      expect(maxAbsDiff(e.cls1, normalized(f32(io[`cls1_${i}`])))).toBeLessThan(TOL);
      expect(maxAbsDiff(e.cls2, normalized(f32(io[`cls2_${i}`])))).toBeLessThan(TOL);
      expect(maxAbsDiff(e.patches, f32(io[`patches_${i}`]))).toBeLessThan(TOL);
    }
  });

  test('a batch gives the same embeddings as one at a time; raw pixels and encoded bytes agree', async () => {
    const { readFileSync } = await import('node:fs');
    const png = new Uint8Array(readFileSync(officialTiny('tiny_mlp_image_0.png')));
    const img = f32(io.image_0);
    const rgb = new Uint8Array(56 * 56 * 3);
    for (let p = 0; p < 56 * 56; p++) for (let c = 0; c < 3; c++) rgb[p * 3 + c] = Math.round(img[c * 56 * 56 + p]! * 255);
    const [a, b, c] = await model.embedImage([png, { data: rgb, width: 56, height: 56 }, { pixels: img, height: 56, width: 56 }]);
    expect(maxAbsDiff(a!.cls1, b!.cls1)).toBe(0);
    expect(maxAbsDiff(a!.patches, c!.patches)).toBe(0);
  });

  test('a larger picture is resized to the model size (Pillow bilinear) before embedding', async () => {
    // 84×56 picture, model size 56×56: the result differs from the 84×56 run but is finite and normalised.
    const e = await model.embedImage(officialTiny('tiny_mlp_image_2.png'));
    expect(e.grid).toEqual([4, 4]);
    const norm = Math.hypot(...e.cls1);
    expect(norm).toBeCloseTo(1, 5);
  });

  test('embedTextRaw equals the official text tower on texts tokenized by the reference SentencePiece', async () => {
    const rows = textReference();
    const raw = await model.embedTextRaw(rows.map((r) => r.text));
    rows.forEach((r, i) => expect(maxAbsDiff(raw[i]!, r.embedding)).toBeLessThan(TOL));
    const one = await model.embedText(rows[0]!.text);
    expect(maxAbsDiff(one, normalized(rows[0]!.embedding))).toBeLessThan(TOL);
  });

  test('zeroShot: softmax over cos/temperature, best first', async () => {
    const labels = ['cat', 'dog', 'cow'];
    const scores = await model.zeroShot(officialTiny('tiny_mlp_image_0.png'), labels, { template: '{}', temperature: 0.05 });
    expect(scores.map((s) => s.label).sort()).toEqual([...labels].sort());
    expect(scores.reduce((a, s) => a + s.score, 0)).toBeCloseTo(1, 10);
    for (let i = 1; i < scores.length; i++) expect(scores[i - 1]!.score).toBeGreaterThanOrEqual(scores[i]!.score);
    // Independent check of the scoring from the official image output and the reference text tower.
    const img = normalized(f32(io.cls1_0));
    const texts = await model.embedText(labels);
    const cos = texts.map((t) => t.reduce((acc, x, k) => acc + x * img[k]!, 0));
    const ex = cos.map((c) => Math.exp(c / 0.05));
    const z = ex.reduce((a, b) => a + b, 0);
    for (const s of scores) {
      const k = labels.indexOf(s.label);
      expect(s.similarity).toBeCloseTo(cos[k]!, 4);
      expect(s.score).toBeCloseTo(ex[k]! / z, 4);
    }
  });

  test('zeroShotSegment: per-patch cosine with each label, computed from the official patch tokens', async () => {
    const labels = ['sky', 'grass'];
    const seg = await model.zeroShotSegment(officialTiny('tiny_mlp_image_0.png'), labels, { template: 'a photo of {}' });
    expect(seg.grid).toEqual([4, 4]);
    const texts = await model.embedText(labels.map((l) => `a photo of ${l}`));
    const patches = f32(io.patches_0);
    for (let p = 0; p < 16; p++) {
      const f = normalized(patches.subarray(p * 32, (p + 1) * 32));
      const cos = texts.map((t) => t.reduce((acc, x, k) => acc + x * f[k]!, 0));
      cos.forEach((c, l) => expect(seg.similarity[l * 16 + p]).toBeCloseTo(c, 4));
      expect(seg.labelMap[p]).toBe(cos[0]! >= cos[1]! ? 0 : 1);
    }
  });

  test('retrieve: each text finds itself first; images and embeddings mix', async () => {
    const texts = ['a photo of a cat.', 'two cows on a field', 'a red car'];
    const hits = await model.retrieve(texts, texts, 2);
    hits.forEach((h, i) => {
      expect(h[0]!.index).toBe(i);
      expect(h[0]!.score).toBeCloseTo(1, 5);
      expect(h).toHaveLength(2);
    });
    const img = await model.embedImage(officialTiny('tiny_mlp_image_0.png'));
    const [fromEmbedding] = await model.retrieve([img.cls1], [officialTiny('tiny_mlp_image_1.png'), officialTiny('tiny_mlp_image_0.png')], 1);
    expect(fromEmbedding![0]!.index).toBe(1);
  });

  test('pcaFeatures: an opaque RGB image of the patch grid whose channels vary', async () => {
    const pca = await model.pcaFeatures(officialTiny('tiny_mlp_image_0.png'));
    expect([pca.width, pca.height]).toEqual([4, 4]);
    expect(pca.data.length).toBe(4 * 4 * 4);
    for (let p = 0; p < 16; p++) expect(pca.data[p * 4 + 3]).toBe(255);
    for (let c = 0; c < 3; c++) expect(new Set(Array.from({ length: 16 }, (_, p) => pca.data[p * 4 + c])).size).toBeGreaterThan(1);
    expect(pca.variances[0]).toBeGreaterThanOrEqual(pca.variances[1]);
  });

  test('typed errors for empty texts, bad images and empty labels', async () => {
    await expect(model.embedText([''])).rejects.toBeInstanceOf(SdkInputError);
    await expect(model.embedImage(new Uint8Array([1, 2, 3, 4]))).rejects.toBeInstanceOf(SdkInputError);
    await expect(model.embedImage({ data: new Uint8Array(10), width: 3, height: 3 })).rejects.toThrow(/bytes for 3×3/);
    await expect(model.zeroShot(officialTiny('tiny_mlp_image_0.png'), [])).rejects.toBeInstanceOf(SdkInputError);
    await expect(model.embedImage(officialTiny('no-such.png'))).rejects.toBeInstanceOf(SdkInputError);
  });
});

describe('TipsModel from exported ONNX files', () => {
  test('an exported fixed-size file gives the checkpoint results, refuses other sizes, and runs on onnxruntime-web too', async () => {
    const { bytes } = await exportVisionOnnx(officialTiny('tiny_mlp_vision.npz'), { config: TINY_MLP_CONFIG, size: 56 });
    const io = await readIo(officialTiny('tiny_mlp_vision_io.npz'));
    for (const backend of ['node', 'web'] as const) {
      const model = await TipsModel.load({ vision: bytes, backend });
      try {
        const e = await model.embedImage(officialTiny('tiny_mlp_image_0.png'));
        expect(maxAbsDiff(e.patches, f32(io.patches_0))).toBeLessThan(TOL);
        await expect(model.embedImage(officialTiny('tiny_mlp_image_0.png'), { size: 28 })).rejects.toBeInstanceOf(SdkInputError);
      } finally {
        await model.dispose();
      }
    }
  });

  test('a dynamic-size file (--size dynamic) runs every fixture size from one file', async () => {
    const { bytes } = await exportVisionOnnx(officialTiny('tiny_mlp_vision.npz'), { config: TINY_MLP_CONFIG, size: 'dynamic' });
    const io = await readIo(officialTiny('tiny_mlp_vision_io.npz'));
    const model = await TipsModel.load({ vision: bytes, backend: 'node' });
    try {
      expect(model.imageSize).toEqual([56, 56]);
      const sizes: [number, number][] = [[56, 56], [28, 28], [84, 56]];
      for (let i = 0; i < 3; i++) {
        const e = await model.embedImage(officialTiny(`tiny_mlp_image_${i}.png`), { size: sizes[i]! });
        expect(maxAbsDiff(e.patches, f32(io[`patches_${i}`]))).toBeLessThan(TOL);
      }
      await expect(model.embedImage(officialTiny('tiny_mlp_image_0.png'), { size: 50 })).rejects.toBeInstanceOf(SdkInputError);
    } finally {
      await model.dispose();
    }
  });

  test('a model with external data loads by path on onnxruntime-node and -web, and is refused as bare bytes', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = mkdtempSync(join(tmpdir(), 'tips-ext-'));
    const sink = { location: 'v.onnx.data', chunks: [] as Uint8Array[], bytes: 0 };
    const { bytes } = await exportVisionOnnx(officialTiny('tiny_mlp_vision.npz'), { config: TINY_MLP_CONFIG, size: 56, externalData: sink });
    writeFileSync(join(dir, 'v.onnx.data'), Buffer.concat(sink.chunks));
    writeFileSync(join(dir, 'v.onnx'), bytes);
    expect(bytes.length).toBeLessThan(60_000);
    const io = await readIo(officialTiny('tiny_mlp_vision_io.npz'));
    for (const backend of ['node', 'web'] as const) {
      const model = await TipsModel.load({ vision: join(dir, 'v.onnx'), backend });
      try {
        const e = await model.embedImage(officialTiny('tiny_mlp_image_0.png'));
        expect(maxAbsDiff(e.patches, f32(io.patches_0))).toBeLessThan(TOL);
      } finally {
        await model.dispose();
      }
    }
    await expect(TipsModel.load({ vision: bytes })).rejects.toThrow(/external data files \(v\.onnx\.data\); load the model from its path or URL/);
  });

  test('load refuses a text tower without tokenizer, mismatched widths and non-model bytes', async () => {
    await expect(TipsModel.load({ text: officialTiny('tiny_text.npz') })).rejects.toBeInstanceOf(ModelLoadError);
    await expect(
      TipsModel.load({
        vision: officialTiny('tiny_swiglu_vision.npz'),
        visionConfig: { embedDim: 48, depth: 2, heads: 3, mlpHidden: 192, ffn: 'swiglu' },
        text: officialTiny('tiny_text.npz'),
        textHeads: 2,
        tokenizer: sdkTestData('tiny-spm.model'),
      }),
    ).rejects.toThrow(/48 wide and the text tower 32/);
    await expect(TipsModel.load({ vision: new TextEncoder().encode('hello world, not a model') })).rejects.toBeInstanceOf(ModelLoadError);
  });
});
