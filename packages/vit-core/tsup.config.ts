import { defineConfig } from 'tsup';

export default defineConfig({
  // config: the tfjs-free subpath @tips/vit-core/config (presets + checkpoint config resolution).
  entry: { index: 'src/index.ts', config: 'src/config-entry.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'es2022',
  shims: true,
});
