import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const CLI = join(__dirname, '..', 'dist', 'cli.js');
const env = { ...process.env, TIPS_BACKEND: process.env.TIPS_BACKEND ?? 'wasm' };

describe('tips train / tips resume', () => {
  it('trains on generated built-in scenes, exports the towers, and resumes a finished run as a no-op', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tips-train-'));
    const out = join(dir, 'run');
    const small = ['--set', 'data.builtin.count=24', '--set', 'data.builtin.evalCount=8', '--set', `data.builtin.cache=${JSON.stringify(join(dir, 'cache'))}`, '--set', 'data.batchSize=8', '--set', 'data.workers=0'];
    const { stderr } = await run('node', [CLI, 'train', '--steps', '2', '--out', out, '--no-eval', '--no-progress', ...small], { env, cwd: dir });
    expect(stderr).toMatch(/generating the built-in spatial scenes/);
    expect(stderr).toMatch(/finished at step 2\/2/);
    for (const f of ['vision.safetensors', 'text.safetensors', 'tokenizer.model', 'tips.json']) expect(existsSync(join(out, 'final', f))).toBe(true);
    const records = readFileSync(join(out, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l)).filter((r) => r.event === undefined);
    expect(records.map((r) => r.step)).toEqual([1, 2]);
    expect(Object.keys(records[0].terms).sort()).toEqual(['clip_synthetic', 'clip_web', 'distill', 'mim']);
    const again = await run('node', [CLI, 'resume', out, '--no-eval', '--no-progress'], { env, cwd: dir });
    expect(again.stderr).toMatch(/finished at step 2\/2/);
    const bad = run('node', [CLI, 'train', '--set', 'optim.stepz=3'], { env, cwd: dir });
    await expect(bad).rejects.toMatchObject({ stderr: expect.stringMatching(/TrainConfigError: config is invalid:[\s\S]*optim: unknown key\(s\) 'stepz'/) });
  }, 300000);
});
