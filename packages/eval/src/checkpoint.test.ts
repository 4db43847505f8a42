import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { initBackend } from '@tips/runtime';
import { saveVisionCheckpoint } from '@tips/vit-core';
import { saveTextCheckpoint } from '@tips/text-encoder';
import { resolveCheckpoint, loadModel } from './checkpoint';
import { evaluateCheckpoint } from './evaluate-checkpoint';
import { EvalCheckpointError } from './errors';
import { fixture } from '../../../test-utils/fixtures';
import { tinyScenes, tinyTowers, tokenizerPath } from './testing/tiny';

const ROOT = resolve(__dirname, '..');
let run: string;
let data: { train: string; test: string };

beforeAll(async () => {
  await initBackend({ backend: process.env.TIPS_BACKEND ?? 'wasm' });
  // A `tips train`-like run folder: metrics.jsonl and final/ with our export format.
  run = mkdtempSync(join(tmpdir(), 'eval-ckpt-'));
  const final = join(run, 'final');
  mkdirSync(final);
  const t = await tinyTowers(ROOT, 2);
  await saveVisionCheckpoint(t.vision, join(final, 'vision.safetensors'));
  await saveTextCheckpoint(t.text, join(final, 'text.safetensors'));
  copyFileSync(tokenizerPath(ROOT), join(final, 'tokenizer.model'));
  writeFileSync(join(final, 'tips.json'), JSON.stringify({ format: 'tips-ts.model/1', config: { data: { globalSize: 56 } } }));
  writeFileSync(join(run, 'metrics.jsonl'), `${JSON.stringify({ step: 1, loss: 2, terms: { clip: 2 } })}\n${JSON.stringify({ step: 2, loss: 1, terms: { clip: 1 } })}\n`);
  t.vision.dispose();
  t.text.dispose();
  data = await tinyScenes(mkdtempSync(join(tmpdir(), 'eval-ckpt-scenes-')), 8, 4);
});

describe('checkpoint resolution', () => {
  it('finds the towers, tokenizer, run metrics and tips.json of a run folder (and of its final/ export)', async () => {
    for (const p of [run, join(run, 'final')]) {
      const ck = await resolveCheckpoint(p);
      expect(ck.vision).toBe(join(run, 'final', 'vision.safetensors'));
      expect(ck.text).toBe(join(run, 'final', 'text.safetensors'));
      expect(ck.tokenizer).toBe(join(run, 'final', 'tokenizer.model'));
      expect(ck.runMetrics).toBe(join(run, 'metrics.jsonl'));
      expect(ck.meta).toMatchObject({ format: 'tips-ts.model/1' });
    }
    const file = await resolveCheckpoint(join(run, 'final', 'vision.safetensors'));
    expect(file.text).toBe(join(run, 'final', 'text.safetensors'));
  });

  it('reads official .npz towers, and names the problem with bad paths', async () => {
    const official = fixture('official-tiny', 'tiny_mlp_vision.npz');
    const ck = await resolveCheckpoint(official, { text: fixture('official-tiny', 'tiny_text.npz') });
    expect(ck.vision).toBe(official);
    // The official tiny test towers match no published size: give their configuration (fixtures manifest).
    const model = await loadModel({ ...ck, tokenizer: tokenizerPath(ROOT) }, () => {}, {
      visionConfig: { embedDim: 32, depth: 2, heads: 2, mlpHidden: 128, ffn: 'mlp' },
      textConfig: { hiddenSize: 32, mlpDim: 64, numHeads: 2, numLayers: 2, vocabSize: 100 },
    }).catch((e: Error) => e);
    // Our 128-piece test tokenizer does not fit the 100-row official tiny text tower: a clear error.
    expect(model).toBeInstanceOf(EvalCheckpointError);
    expect((model as Error).message).toMatch(/128 pieces but the text tower 100/);
    const visionOnly = await loadModel({ ...ck, text: null }, () => {}, { visionConfig: { embedDim: 32, depth: 2, heads: 2, mlpHidden: 128, ffn: 'mlp' } });
    expect(visionOnly.vision.config.embedDim).toBe(32);
    expect(visionOnly.vision.config.posGrid).toBe(4);
    visionOnly.vision.dispose();
    await expect(resolveCheckpoint(join(run, 'nope'))).rejects.toThrow(EvalCheckpointError);
    await expect(resolveCheckpoint(fixture('official-tiny'))).rejects.toThrow(/image-tower checkpoints .*pass the file itself/);
    await expect(resolveCheckpoint(join(run, 'final', 'text.safetensors'))).rejects.toThrow(/not an image-tower checkpoint/);
  });

  it('evaluateCheckpoint: loads, evaluates at the trained size and writes the report with the run\'s curves', async () => {
    const out = mkdtempSync(join(tmpdir(), 'eval-ckpt-report-'));
    const { report } = await evaluateCheckpoint({ checkpoint: run, data: data.test, trainData: data.train, tasks: ['knn', 'retrieval', 'zeroshot'], outDir: out, figures: 2 });
    expect(report.data.imageSize).toEqual([56, 56]);
    expect(report.model.text?.hiddenSize).toBe(32);
    expect(report.files).toContain('figures/loss-curves.png');
    expect(existsSync(join(out, 'report.md'))).toBe(true);
  });
});
