import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const CLI = join(__dirname, '..', 'dist', 'cli.js');

describe('tips data generate', () => {
  it('--perspective: every object obeys the pinhole camera (radius · depth = 0.45 · scale, scale 0.85–1.15)', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'tips-data-')), 'scenes');
    await run('node', [CLI, 'data', 'generate', '--out', out, '--count', '12', '--size', '112', '--perspective'], { cwd: tmpdir() });
    const lines = readFileSync(join(out, 'train.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(12);
    const k = lines.flatMap((l) => l.objects.map((o: { radius_px: number; depth_m: number }) => (o.radius_px / 112) * o.depth_m / 0.45));
    expect(k.length).toBeGreaterThan(12);
    // radius_px is stored to 0.1 px and depth to 1 mm: allow that rounding.
    for (const x of k) {
      expect(x).toBeGreaterThan(0.85 - 0.01);
      expect(x).toBeLessThan(1.15 + 0.01);
    }
    expect(JSON.parse(readFileSync(join(out, 'dataset.json'), 'utf8')).splits.train.perspective).toBe(true);
    await expect(run('node', [CLI, 'data', 'generate', '--out', out, '--count', '2', '--perspective', '--multiview'], { cwd: tmpdir() })).rejects.toMatchObject({ stderr: expect.stringMatching(/--perspective applies to the 2D scenes only/) });
  }, 120000);
});
