import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

// The README's snippet, run as a user would: plain Node ESM importing the built package (turbo builds
// before it tests). Caught a real bug once: apache-arrow loaded twice (ESM + CJS) broke instanceof.
test('README snippet runs against the built ESM entry point', () => {
  const dist = join(__dirname, '..', 'dist', 'index.js');
  if (!existsSync(dist)) throw new Error(`${dist} is missing: run \`npx tsup\` (or \`npx turbo run build\`) before this test`);
  const r = spawnSync(process.execPath, [join(__dirname, 'readme-snippet.mjs')], { encoding: 'utf8', timeout: 60000 });
  expect(r.stderr).not.toMatch(/Error/);
  expect(r.status).toBe(0);
  expect(r.stdout).toMatch(/filter: 'language'[\s\S]*kept: 3[\s\S]*languages: \{ en: 3, es: 1 \}/);
  expect(r.stdout).toMatch(/filter: 'similarity'[\s\S]*kept: 2/);
  expect(r.stdout).toMatch(/filter: 'dedup'/);
});
