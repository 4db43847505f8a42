import { createRequire } from 'node:module';
import { defineConfig } from 'tsup';

const requireCjs = createRequire(import.meta.url);
const tfjsGradients = requireCjs('../../build/tfjs-gradients-plugin.cjs');

export default defineConfig({
  // parallel-worker is the entry of DataParallelPool's worker threads; the pool starts
  // dist/parallel-worker.cjs (found next to the built index, or from src/ under jest).
  entry: { index: 'src/index.ts', core: 'src/core.ts', 'parallel-worker': 'src/parallel/worker.ts' },
  splitting: false,
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'es2022',
  shims: true,
  noExternal: [/register_all_gradients/],
  esbuildPlugins: [tfjsGradients],
});
