import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = resolve(__dirname, '..');

describe('README', () => {
  it('the try-it snippet runs as is and writes the report', async () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const m = /<!-- snippet:try-it -->\s*```js\n([\s\S]*?)```/.exec(readme);
    expect(m).not.toBeNull();
    const out = mkdtempSync(join(tmpdir(), 'eval-readme-'));
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', m![1]!], { cwd: ROOT, env: { ...process.env, OUT: out }, timeout: 240_000 });
    expect(stdout).toContain('| random tiny |');
    expect(existsSync(join(out, 'report', 'report.md'))).toBe(true);
    expect(existsSync(join(out, 'report', 'figures', 'pca.png'))).toBe(true);
  }, 300_000);
});
