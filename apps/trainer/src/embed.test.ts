import { execFile } from 'node:child_process';
import { mkdtempSync, existsSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { readNpz, toFloat32, parseNpyHeader } from '@tips/runtime';
import { fixture } from '../../../test-utils/fixtures';

const run = promisify(execFile);
const CLI = join(__dirname, '..', 'dist', 'cli.js');
const TINY = JSON.stringify({ embedDim: 32, depth: 2, heads: 2, mlpHidden: 128, ffn: 'mlp' });
const env = { ...process.env, TIPS_BACKEND: process.env.TIPS_BACKEND ?? 'wasm' };

function normalised(v: Float32Array): number[] {
  const n = Math.max(Math.hypot(...v), 1e-3);
  return Array.from(v, (x) => x / n);
}

describe('tips embed --vision', () => {
  it('decodes the fixture PNG and reproduces the official L2-normalised CLS embeddings', async () => {
    const io = await readNpz(fixture('official-tiny', 'tiny_mlp_vision_io.npz'));
    const { stdout } = await run('node', [CLI, 'embed', '--vision', fixture('official-tiny', 'tiny_mlp_vision.npz'), '--config', TINY, '--image', fixture('official-tiny', 'tiny_mlp_image_2.png'), '--size', '84x56', '--patches'], { env });
    const out = JSON.parse(stdout);
    expect(out.grid).toEqual([6, 4]);
    const want1 = normalised(toFloat32(io.cls1_2!));
    const want2 = normalised(toFloat32(io.cls2_2!));
    out.cls1.forEach((v: number, i: number) => expect(Math.abs(v - want1[i]!)).toBeLessThan(1e-4));
    out.cls2.forEach((v: number, i: number) => expect(Math.abs(v - want2[i]!)).toBeLessThan(1e-4));
    const patches = toFloat32(io.patches_2!);
    expect(out.patches.length).toBe(24);
    out.patches.flat().forEach((v: number, i: number) => expect(Math.abs(v - patches[i]!)).toBeLessThan(1e-4));
  });

  it('writes .npy files and fails clearly on bad input', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'embed-'));
    await run('node', [CLI, 'embed', '--vision', fixture('official-tiny', 'tiny_mlp_vision.npz'), '--config', TINY, '--image', fixture('official-tiny', 'tiny_mlp_image_0.png'), '--format', 'npy', '--out', join(dir, 'e')], { env });
    expect(existsSync(join(dir, 'e.patches.npy'))).toBe(false);
    const bytes = new Uint8Array(readFileSync(join(dir, 'e.cls1.npy')));
    const header = parseNpyHeader(bytes, 'e.cls1.npy')!;
    expect(header.shape).toEqual([1, 32]);
    const values = new Float32Array(bytes.slice(header.dataOffset).buffer);
    const io = await readNpz(fixture('official-tiny', 'tiny_mlp_vision_io.npz'));
    const want = normalised(toFloat32(io.cls1_0!));
    values.forEach((v, i) => expect(Math.abs(v - want[i]!)).toBeLessThan(1e-4));
    const bad = run('node', [CLI, 'embed', '--vision', fixture('official-tiny', 'tiny_mlp_vision.npz'), '--config', TINY, '--image', fixture('official-tiny', 'tiny_mlp_image_0.png'), '--size', '50'], { env });
    await expect(bad).rejects.toMatchObject({ stderr: expect.stringMatching(/multiples of the patch size 14/) });
    writeFileSync(join(dir, 'broken.png'), 'not an image');
    const broken = run('node', [CLI, 'embed', '--vision', fixture('official-tiny', 'tiny_mlp_vision.npz'), '--config', TINY, '--image', join(dir, 'broken.png')], { env });
    await expect(broken).rejects.toMatchObject({ stderr: expect.stringMatching(/cannot decode image .*broken\.png/) });
    const wrong = run('node', [CLI, 'embed', '--vision', fixture('official-tiny', 'tiny_mlp_vision.npz'), '--variant', 'B', '--image', fixture('official-tiny', 'tiny_mlp_image_0.png')], { env });
    await expect(wrong).rejects.toMatchObject({ stderr: expect.stringMatching(/CheckpointError: .*does not fit this model/) });
  });
});
