// Bundles the demo with esbuild into dist/: index.html, main.js (the page + @tips/sdk +
// onnxruntime-web), and onnxruntime-web's WebAssembly files under dist/ort/ (served locally; no CDN).
// Models are not bundled: put vision.onnx, text.onnx and tokenizer.model in dist/models/ (see README).
import { copyFileSync, mkdirSync } from 'node:fs';
import { builtinModules, createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, 'dist');
const require = createRequire(import.meta.url);

// Node built-ins reached only on Node code paths of the libraries (file paths, sharp, fs writes,
// worker threads): in the browser they resolve to an empty module.
const builtins = new RegExp(`^(node:.*|${builtinModules.map((m) => m.replace(/[/]/g, '\\/')).join('|')})$`);
const nodeBuiltinsStub = {
  name: 'node-builtins-stub',
  setup(b) {
    b.onResolve({ filter: builtins }, (args) => ({ path: args.path, namespace: 'node-stub' }));
    b.onLoad({ filter: /.*/, namespace: 'node-stub' }, () => ({ contents: 'module.exports = {};', loader: 'js' }));
  },
};

export async function buildDemo({ minify = true } = {}) {
  mkdirSync(join(out, 'ort'), { recursive: true });
  mkdirSync(join(out, 'models'), { recursive: true });
  const result = await build({
    entryPoints: [join(here, 'src', 'main.ts')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    outfile: join(out, 'main.js'),
    sourcemap: true,
    minify,
    metafile: true,
    plugins: [nodeBuiltinsStub],
    logLevel: 'warning',
  });
  copyFileSync(join(here, 'src', 'index.html'), join(out, 'index.html'));
  const ortDist = dirname(require.resolve('onnxruntime-web/ort-wasm-simd-threaded.wasm'));
  for (const f of ['ort-wasm-simd-threaded.wasm', 'ort-wasm-simd-threaded.mjs']) copyFileSync(join(ortDist, f), join(out, 'ort', f));
  const bytes = Object.values(result.metafile.outputs).reduce((a, o) => a + o.bytes, 0);
  return { out, bytes };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { out: dir, bytes } = await buildDemo();
  console.log(`built ${dir} (main.js and maps: ${(bytes / 1048576).toFixed(1)} MB); now put models in dist/models and run: npm start`);
}
