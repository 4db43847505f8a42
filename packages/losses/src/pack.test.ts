// `npm pack` of this package, installed alone in a temporary folder with only @tensorflow/tfjs-core and
// @tensorflow/tfjs-backend-cpu from the npm registry (`--prefer-offline`: the local cache when it has
// them), runs the README's training loop. Uses the built dist/ (turbo builds before testing).
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const PKG = join(__dirname, '..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

function newestSourceTime(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) t = Math.max(t, newestSourceTime(p));
    else if (!e.name.endsWith('.test.ts') && e.name !== 'test-utils.ts') t = Math.max(t, statSync(p).mtimeMs);
  }
  return t;
}

describe('the packed package, installed alone', () => {
  let tmp = '';
  afterAll(() => {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('installs with only tfjs-core + tfjs-backend-cpu and runs the README training loop (ESM) and a CJS require', async () => {
    const dist = join(PKG, 'dist', 'index.js');
    if (!existsSync(dist) || statSync(dist).mtimeMs < newestSourceTime(join(PKG, 'src'))) {
      throw new Error('packages/losses/dist is missing or older than src/: run `npm run build -w @tips/losses` first');
    }
    tmp = mkdtempSync(join(tmpdir(), 'tips-losses-pack-'));
    const { stdout: packOut } = await run(npm, ['pack', '--pack-destination', tmp, '--ignore-scripts', '--json'], { cwd: PKG });
    const packed = JSON.parse(packOut) as { filename: string; files: { path: string }[] }[];
    const files = packed[0]!.files.map((f) => f.path).sort();
    expect(files).toEqual(expect.arrayContaining(['README.md', 'dist/index.cjs', 'dist/index.d.ts', 'dist/index.js', 'package.json']));
    expect(files.filter((f) => f.startsWith('src/') || f.includes('.test.'))).toEqual([]);

    const app = join(tmp, 'app');
    await run('mkdir', [app]);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'tips-losses-pack-check', private: true, type: 'module' }));
    const tfVersion = (JSON.parse(readFileSync(require.resolve('@tensorflow/tfjs-core/package.json'), 'utf8')) as { version: string }).version;
    await run(
      npm,
      ['install', join(tmp, packed[0]!.filename), `@tensorflow/tfjs-core@${tfVersion}`, `@tensorflow/tfjs-backend-cpu@${tfVersion}`, '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts'],
      { cwd: app, timeout: 300_000 },
    );
    // nothing else of ours came along
    expect(readdirSync(join(app, 'node_modules', '@tips'))).toEqual(['losses']);
    expect(readdirSync(join(app, 'node_modules', '@tensorflow')).sort()).toEqual(['tfjs-backend-cpu', 'tfjs-core']);

    const readme = readFileSync(join(app, 'node_modules', '@tips', 'losses', 'README.md'), 'utf8');
    const snippet = /<!-- snippet:training-loop -->\s*```js\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(snippet).toBeDefined();
    writeFileSync(join(app, 'train.mjs'), snippet!);
    const { stdout } = await run(process.execPath, ['train.mjs'], { cwd: app, timeout: 240_000 });
    const rows = stdout
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { step: number; loss: number; tensors: number });
    expect(rows.length).toBe(6);
    expect(rows[rows.length - 1]!.loss).toBeLessThan(rows[0]!.loss / 2);

    const cjs = [
      "const tf = require('@tensorflow/tfjs-core'); require('@tensorflow/tfjs-backend-cpu');",
      "const L = require('@tips/losses');",
      'tf.setBackend("cpu").then(() => {',
      '  const e = tf.eye(3);',
      '  const g = tf.grad((x) => L.clipLoss(x, e, { logitScale: 10 }))(e);',
      "  console.log(JSON.stringify({ exports: Object.keys(L).length, finite: Array.from(g.dataSync()).every(Number.isFinite) }));",
      '});',
    ].join('\n');
    writeFileSync(join(app, 'check.cjs'), cjs);
    const { stdout: cjsOut } = await run(process.execPath, ['check.cjs'], { cwd: app, timeout: 60_000 });
    const res = JSON.parse(cjsOut.split('\n').find((l) => l.startsWith('{'))!) as { exports: number; finite: boolean };
    expect(res.exports).toBeGreaterThan(15);
    expect(res.finite).toBe(true);
  }, 600_000);
});
