import { createRequire } from 'node:module';
import { defineConfig } from 'tsup';

// Bundles tfjs-core's gradient definitions (registering only missing ones) so that the package
// trains with nothing but @tensorflow/tfjs-core and a backend installed; see the plugin's header.
const requireCjs = createRequire(import.meta.url);
const tfjsGradients = requireCjs('../../build/tfjs-gradients-plugin.cjs');

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'es2022',
  shims: true,
  noExternal: [/register_all_gradients/],
  esbuildPlugins: [tfjsGradients],
});
