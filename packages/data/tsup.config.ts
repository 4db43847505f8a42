import { defineConfig } from 'tsup';

export default defineConfig({
  // worker: the loader's worker-thread script, loaded at run time from dist/worker.cjs.
  entry: { index: 'src/index.ts', worker: 'src/loader/worker.ts' },
  format: ['esm', 'cjs'],
  dts: { entry: { index: 'src/index.ts' } },
  sourcemap: true,
  clean: true,
  target: 'es2022',
  shims: true,
});
