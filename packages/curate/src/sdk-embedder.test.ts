import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readNpz, toFloat32 } from '@tips/runtime';
import { fixture } from '../../../test-utils/fixtures';
import { runEmbedJob } from './embed-job';
import { CurateImageError } from './errors';
import { SdkEmbedder } from './sdk-embedder';
import { EmbeddingStore } from './store';
import { tmp } from '../test/helpers';

// The embed job with the real SDK (onnxruntime-node) on the official-tiny vision checkpoint: the
// stored vectors must be the official PyTorch outputs for the fixture picture (L2-normalised).
const TINY_MLP_CONFIG = { embedDim: 32, depth: 2, heads: 2, mlpHidden: 128, ffn: 'mlp' as const };
const tiny = (f: string) => fixture('official-tiny', f);
const norm = (v: Float32Array) => {
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
};
const maxAbsDiff = (a: Float32Array, b: Float32Array) => a.reduce((m, x, i) => Math.max(m, Math.abs(x - b[i]!)), 0);

test('SdkEmbedder in the embed job: stored cls1/cls2 equal the official outputs; an undecodable image → CurateImageError', async () => {
  const t = tmp();
  const embedder = await SdkEmbedder.load({ vision: tiny('tiny_mlp_vision.npz'), visionConfig: TINY_MLP_CONFIG, backend: 'node' });
  try {
    expect(embedder.dim).toBe(32);
    copyFileSync(tiny('tiny_mlp_image_0.png'), join(t.dir, 'a.png'));
    // Image-only records: the job embeds no text, so no text tower is needed.
    writeFileSync(join(t.dir, 'm.jsonl'), `${JSON.stringify({ id: 'a', image: 'a.png' })}\n`);
    const db = join(t.dir, 'db');
    const sum = await runEmbedJob({ manifest: join(t.dir, 'm.jsonl'), db, embedder });
    expect(sum).toMatchObject({ embedded: 1, imageOnly: 1, rows: 1 });
    const [row] = await (await EmbeddingStore.open(db)).all();
    const io = await readNpz(tiny('tiny_mlp_vision_io.npz'));
    expect(maxAbsDiff(row!.vector, norm(toFloat32(io.cls1_0!)))).toBeLessThan(1e-4);
    expect(maxAbsDiff(row!.vector2, norm(toFloat32(io.cls2_0!)))).toBeLessThan(1e-4);
    expect(row!.hasText).toBe(false);

    writeFileSync(join(t.dir, 'bad.png'), 'this is not a png');
    writeFileSync(join(t.dir, 'm2.jsonl'), `${JSON.stringify({ id: 'b', image: 'bad.png' })}\n`);
    await expect(runEmbedJob({ manifest: join(t.dir, 'm2.jsonl'), db, embedder })).rejects.toThrow(CurateImageError);
    expect(await (await EmbeddingStore.open(db)).count()).toBe(1);
  } finally {
    await embedder.close();
    t.done();
  }
});
