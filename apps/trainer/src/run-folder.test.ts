// `tips train` / `tips resume` and the run folder (issue 18, items 1, 3, 4): a moved folder resumes
// where it is, a refused resume leaves config.json alone, an existing run is never overwritten
// without --overwrite.
import { execFile, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const CLI = join(__dirname, '..', 'dist', 'cli.js');
const env = { ...process.env, TIPS_BACKEND: process.env.TIPS_BACKEND ?? 'wasm' };

const steps = (out: string) => readFileSync(join(out, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));

describe('tips train / tips resume run folders (issue 18)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tips-runfolder-'));
  const small = ['--set', 'data.builtin.count=16', '--set', 'data.builtin.evalCount=8', '--set', `data.builtin.cache=${JSON.stringify(join(dir, 'cache'))}`, '--set', 'data.batchSize=8', '--set', 'data.workers=0', '--set', 'run.checkpointEvery=1', '--set', 'run.keepLast=3'];
  const out = join(dir, 'a');
  const tips = (args: string[]) => run('node', [CLI, ...args, '--no-eval', '--no-progress'], { env, cwd: dir });

  beforeAll(async () => {
    await tips(['train', '--steps', '2', '--out', out, ...small]);
  }, 300000);

  it('item 4: train --out on an existing run is refused (RunFolderExistsError naming --resume and --overwrite), nothing touched; --overwrite starts clean', async () => {
    const metricsBefore = readFileSync(join(out, 'metrics.jsonl'), 'utf8');
    const finalMtime = statSync(join(out, 'final', 'vision.safetensors')).mtimeMs;
    await expect(tips(['train', '--steps', '1', '--out', out, ...small])).rejects.toMatchObject({
      stderr: expect.stringMatching(/RunFolderExistsError: .*already holds a training run \(config\.json, checkpoints\/, final\/, metrics\.jsonl\); pass --resume to continue it, --overwrite to delete/),
    });
    expect(readFileSync(join(out, 'metrics.jsonl'), 'utf8')).toBe(metricsBefore);
    expect(statSync(join(out, 'final', 'vision.safetensors')).mtimeMs).toBe(finalMtime);

    const other = join(dir, 'ow');
    cpSync(out, other, { recursive: true });
    const { stderr } = await tips(['train', '--steps', '1', '--out', other, '--overwrite', ...small]);
    expect(stderr).toMatch(/--overwrite: deleted the old run's/);
    expect(stderr).toMatch(/finished at step 1\/1/);
    expect(steps(other).filter((r) => r.event === undefined).map((r) => r.step)).toEqual([1]);
    expect(readdirSync(join(other, 'checkpoints')).filter((n) => n.startsWith('step-'))).toEqual(['step-0000001']);
  }, 300000);

  it('item 3: a refused train --resume with another config leaves config.json as it was, and tips resume still works', async () => {
    const before = readFileSync(join(out, 'config.json'), 'utf8');
    await expect(tips(['train', '--resume', '--steps', '2', '--out', out, ...small, '--set', 'optim.lr.peak=0.5'])).rejects.toMatchObject({
      stderr: expect.stringMatching(/ResumeError: .*another configuration/),
    });
    expect(readFileSync(join(out, 'config.json'), 'utf8')).toBe(before);
    const again = await tips(['resume', out]);
    expect(again.stderr).toMatch(/finished at step 2\/2/);
  }, 300000);

  it('item 1: a moved run folder resumes in its new place from its own checkpoints, bit-exact', async () => {
    const copy = join(dir, 'copy');
    cpSync(out, copy, { recursive: true });
    const moved = join(dir, 'moved');
    renameSync(copy, moved);
    // Pretend the run was killed after step 1: latest names step-1, final/ is not there yet.
    writeFileSync(join(moved, 'checkpoints', 'latest'), 'step-0000001\n');
    rmSync(join(moved, 'final'), { recursive: true });
    rmSync(join(moved, 'checkpoints', 'step-0000002'), { recursive: true });
    const { stderr } = await tips(['resume', moved]);
    expect(stderr).toMatch(/finished at step 2\/2/);
    expect(stderr).toContain(`run folder ${moved}`);
    expect(existsSync(copy)).toBe(false); // nothing was written at the old path
    const resumeEvent = steps(moved).find((r) => r.event === 'resume' && r.from.startsWith(moved));
    expect(resumeEvent).toMatchObject({ from: join(moved, 'checkpoints', 'step-0000001'), step: 1 });
    expect(existsSync(join(moved, 'checkpoints', 'step-0000002'))).toBe(true);
    for (const f of ['vision.safetensors', 'text.safetensors']) expect(readFileSync(join(moved, 'final', f)).equals(readFileSync(join(out, 'final', f)))).toBe(true);
    expect(JSON.parse(readFileSync(join(moved, 'config.json'), 'utf8')).run.out).toBe(moved);
  }, 300000);
});

describe('tips train killed with SIGKILL mid-run, moved, then resumed (issue 18)', () => {
  it('resumes in the new folder bit-exact with an uninterrupted run', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tips-kill-'));
    const small = ['--set', 'data.builtin.count=16', '--set', 'data.builtin.evalCount=8', '--set', `data.builtin.cache=${JSON.stringify(join(dir, 'cache'))}`, '--set', 'data.batchSize=8', '--set', 'data.workers=0', '--set', 'run.checkpointEvery=1', '--set', 'run.keepLast=2'];
    const args = (out: string) => [CLI, 'train', '--steps', '5', '--out', out, '--no-eval', '--no-progress', ...small];
    await run('node', args(join(dir, 'straight')), { env, cwd: dir });
    const killed = join(dir, 'killed');
    const child = spawn('node', args(killed), { env, cwd: dir, stdio: 'ignore' });
    const exited = new Promise<NodeJS.Signals | null>((res) => child.on('exit', (_code, signal) => res(signal)));
    const latest = join(killed, 'checkpoints', 'latest');
    for (let i = 0; i < 6000; i++) {
      if (existsSync(latest) && readFileSync(latest, 'utf8').trim() >= 'step-0000002') break;
      await new Promise((r) => setTimeout(r, 5));
    }
    child.kill('SIGKILL');
    const signal = await exited;
    const moved = join(dir, 'moved');
    renameSync(killed, moved);
    const { stderr } = await run('node', [CLI, 'resume', moved, '--no-eval', '--no-progress'], { env, cwd: dir });
    expect(stderr).toMatch(/finished at step 5\/5/);
    expect(existsSync(killed)).toBe(false);
    expect(signal).toBe('SIGKILL'); // three steps were still to go
    expect(steps(moved).some((r) => r.event === 'resume' && r.from.startsWith(join(moved, 'checkpoints', 'step-')))).toBe(true);
    expect(readdirSync(join(moved, 'checkpoints')).filter((n) => n.startsWith('.'))).toEqual([]);
    for (const f of ['vision.safetensors', 'text.safetensors']) expect(readFileSync(join(moved, 'final', f)).equals(readFileSync(join(dir, 'straight', 'final', f)))).toBe(true);
  }, 300000);
});
