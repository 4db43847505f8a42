import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'es2022',
  shims: true,
  // Optional dependency, loaded with a dynamic import only when the transformers backend is used.
  external: ['@huggingface/transformers'],
});
