import { defineConfig } from 'tsup';

export default defineConfig({
  // tips-worker is the gradient module of the data-parallel workers (src/parallel): DataParallelPool
  // loads dist/tips-worker.cjs in each worker thread.
  entry: { index: 'src/index.ts', 'tips-worker': 'src/parallel/tips-worker.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'es2022',
  shims: true,
});
