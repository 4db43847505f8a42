import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const HERE = join(__dirname, '..');

describe('examples/losses-training-loop', () => {
  it('train.mjs is the training loop of the @tips/losses README', () => {
    const readme = readFileSync(join(HERE, '..', '..', 'packages', 'losses', 'README.md'), 'utf8');
    const m = /<!-- snippet:training-loop -->\s*```js\n([\s\S]*?)```/.exec(readme);
    expect(m).not.toBeNull();
    expect(readFileSync(join(HERE, 'train.mjs'), 'utf8')).toBe(m![1]);
  });

  it('runs: the loss falls and no tensors leak between steps', async () => {
    const { stdout } = await run(process.execPath, ['train.mjs'], { cwd: HERE, timeout: 240_000 });
    const rows = stdout
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { step: number; loss: number; tensors: number });
    expect(rows.map((r) => r.step)).toEqual([0, 20, 40, 60, 80, 100]);
    expect(rows.every((r) => Number.isFinite(r.loss))).toBe(true);
    expect(rows[5]!.loss).toBeLessThan(rows[0]!.loss / 2);
    expect(new Set(rows.map((r) => r.tensors)).size).toBe(1);
  }, 300_000);
});
