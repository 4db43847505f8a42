import { defineConfig } from 'tsup';

export default defineConfig({
  // tokenizer and config: tfjs-free subpaths (@tips/text-encoder/tokenizer, @tips/text-encoder/config).
  entry: { index: 'src/index.ts', tokenizer: 'src/tokenizer/index.ts', config: 'src/checkpoint/config-entry.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'es2022',
  shims: true,
});
