import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const HERE = join(__dirname, '..');

describe('examples/custom-head', () => {
  it('trains the DPT-style head through HeadTrainable + train(): the loss falls, no tensor leaks, the head is saved', async () => {
    const out = mkdtempSync(join(tmpdir(), 'custom-head-'));
    const { stdout } = await run(process.execPath, ['train.mjs', '--steps', '16', '--size', '56', '--count', '8', '--batch', '4', '--out', out], { cwd: HERE, timeout: 240_000 });
    const rows = stdout
      .split('\n')
      .filter((l) => l.startsWith('{"step"'))
      .map((l) => JSON.parse(l) as { step: number; loss: number; tensors: number });
    const last = JSON.parse(stdout.trim().split('\n').pop()!) as { saved: string; reloadedMaxDiff: number };
    expect(last.saved).toBe(join(out, 'dpt-head.safetensors'));
    expect(last.reloadedMaxDiff).toBe(0);
    expect(rows.map((r) => r.step)).toEqual(Array.from({ length: 16 }, (_, i) => i + 1));
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean(rows.slice(-3).map((r) => r.loss))).toBeLessThan(0.8 * mean(rows.slice(0, 3).map((r) => r.loss)));
    expect(new Set(rows.slice(1).map((r) => r.tensors)).size).toBe(1);
    expect(existsSync(join(out, 'dpt-head.safetensors'))).toBe(true);
    expect(readFileSync(join(out, 'metrics.jsonl'), 'utf8')).toContain('"example-dpt-depth"');
  }, 300_000);
});
