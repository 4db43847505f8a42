import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { exportVisionOnnx, summarizeModel } from '@tips/sdk';
import { fixture } from '../../../../test-utils/fixtures';

// `tips export` end to end (the built CLI in a child process). The numbers of the exported graphs are
// checked against the official fixtures in @tips/sdk's tests; here: the CLI writes the same bytes as
// the SDK's exporter, with the options it was given.
const run = promisify(execFile);
const CLI = join(__dirname, '..', '..', 'dist', 'cli.js');
const TINY = JSON.stringify({ embedDim: 32, depth: 2, heads: 2, mlpHidden: 128, ffn: 'mlp' });
const dir = mkdtempSync(join(tmpdir(), 'tips-export-'));

test('tips export --vision writes the SDK exporter bytes at the asked size; --fp16 halves the file', async () => {
  const out = join(dir, 'v.onnx');
  const { stderr } = await run('node', [CLI, 'export', '--vision', fixture('official-tiny', 'tiny_mlp_vision.npz'), '--config', TINY, '--size', '84x56', '--out', out]);
  expect(stderr).toMatch(/wrote .*v\.onnx .*84×56 input, opset 17, float32 weights/);
  const bytes = new Uint8Array(readFileSync(out));
  const ref = await exportVisionOnnx(fixture('official-tiny', 'tiny_mlp_vision.npz'), { config: JSON.parse(TINY), size: [84, 56] });
  expect(Buffer.compare(Buffer.from(bytes), Buffer.from(ref.bytes))).toBe(0);
  expect(summarizeModel(bytes).inputs[0]!.dims).toEqual(['batch', 3, 84, 56]);

  const half = join(dir, 'v16.onnx');
  await run('node', [CLI, 'export', '--vision', fixture('official-tiny', 'tiny_mlp_vision.npz'), '--config', TINY, '--fp16', '--out', half]);
  const s = summarizeModel(new Uint8Array(readFileSync(half)));
  expect(s.metadata['tips.weight_dtype']).toBe('float16');
  expect(s.inputs[0]!.dims).toEqual(['batch', 3, 56, 56]);
  expect(readFileSync(half).length).toBeLessThan(0.6 * bytes.length);

  const dyn = join(dir, 'dyn.onnx');
  const r = await run('node', [CLI, 'export', '--vision', fixture('official-tiny', 'tiny_mlp_vision.npz'), '--config', TINY, '--size', 'dynamic', '--out', dyn]);
  expect(r.stderr).toMatch(/any input size, opset 18/);
  const d = summarizeModel(new Uint8Array(readFileSync(dyn)));
  expect(d.inputs[0]!.dims).toEqual(['batch', 3, 'height', 'width']);
  expect(d.metadata['tips.dynamic_size']).toBe('true');

  // --external-data: the weights go to FILE.data (automatic above 1.9 GB, for the g/14 towers).
  const ext = join(dir, 'ext.onnx');
  const e = await run('node', [CLI, 'export', '--vision', fixture('official-tiny', 'tiny_mlp_vision.npz'), '--config', TINY, '--external-data', '--out', ext]);
  expect(e.stderr).toMatch(/ext\.onnx\.data \(0\.\d MB of weights\)/);
  const es = summarizeModel(new Uint8Array(readFileSync(ext)));
  expect(es.externalData).toEqual(['ext.onnx.data']);
  expect(readFileSync(ext).length).toBeLessThan(60_000);
  expect(readFileSync(`${ext}.data`).length).toBeGreaterThan(150_000);
});

test('tips export --text keeps a dynamic sequence length; usage errors are typed and name the fix', async () => {
  const out = join(dir, 't.onnx');
  await run('node', [CLI, 'export', '--text', fixture('official-tiny', 'tiny_text.npz'), '--heads', '2', '--out', out]);
  const s = summarizeModel(new Uint8Array(readFileSync(out)));
  expect(s.inputs.map((i) => [i.name, i.dims])).toEqual([
    ['ids', ['batch', 'seq']],
    ['paddings', ['batch', 'seq']],
  ]);
  expect(s.metadata['tips.kind']).toBe('text');
  await expect(run('node', [CLI, 'export', '--out', out])).rejects.toMatchObject({ stderr: expect.stringMatching(/ExportUsageError: give exactly one of --vision CKPT or --text CKPT/) });
  await expect(run('node', [CLI, 'export', '--text', fixture('official-tiny', 'tiny_text.npz'), '--out', out])).rejects.toMatchObject({
    stderr: expect.stringMatching(/ModelLoadError: .*width 32 is not a published text tower.*pass heads/),
  });
});
