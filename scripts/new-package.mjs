#!/usr/bin/env node
// Scaffolds a workspace package: package.json, tsconfig, tsup and jest configs, README and src/index.ts.
// Usage: node scripts/new-package.mjs <dir> <name> "<description>"
import { mkdirSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

const [dir, name, description] = process.argv.slice(2);
if (!dir || !name) {
  console.error('usage: node scripts/new-package.mjs <dir> <name> "<description>"');
  process.exit(2);
}
const depth = dir.split('/').length;
const up = '../'.repeat(depth);
mkdirSync(join(dir, 'src'), { recursive: true });
const write = (file, text) => {
  const path = join(dir, file);
  if (!existsSync(path)) writeFileSync(path, text);
};
write(
  'package.json',
  JSON.stringify(
    {
      name,
      version: '0.1.0',
      description: description ?? '',
      license: 'Apache-2.0',
      type: 'module',
      main: './dist/index.cjs',
      module: './dist/index.js',
      types: './dist/index.d.ts',
      exports: {
        '.': {
          import: { types: './dist/index.d.ts', default: './dist/index.js' },
          require: { types: './dist/index.d.cts', default: './dist/index.cjs' },
        },
        './package.json': './package.json',
      },
      files: ['dist', 'README.md'],
      sideEffects: false,
      scripts: {
        build: 'tsup',
        test: 'jest --json --outputFile=jest-results.json',
        typecheck: 'tsc --noEmit -p tsconfig.json',
      },
    },
    null,
    2,
  ) + '\n',
);
write(
  'tsconfig.json',
  JSON.stringify({ extends: `${up}tsconfig.base.json`, include: ['src'] }, null, 2) + '\n',
);
write(
  'tsup.config.ts',
  `import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'es2022',
  shims: true,
});
`,
);
write('jest.config.cjs', `module.exports = { ...require('${up}jest.config.base.cjs') };\n`);
write('README.md', `# ${name}\n\n${description ?? ''}\n`);
write('src/index.ts', `export {};\n`);
console.log(`scaffolded ${name} in ${dir}`);
