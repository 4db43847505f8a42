// esbuild plugin for tsup, shared by @tips/runtime and @tips/losses: bundles tfjs-core's own
// gradient definitions so that `@tensorflow/tfjs-core` + a backend can train in Node (tf.grad,
// tf.variableGrads and optimisers need them).
//
// Why: in Node, @tensorflow/tfjs-core's main entry (a CommonJS bundle) registers kernels but no
// gradients; its `dist/register_all_gradients.js` exists only as ES modules inside a CommonJS
// package, which Node cannot load. The gradient files are bundled, while every stateful tfjs-core
// module (engine, environment, kernel registry) and every public op resolves to the application's
// single `@tensorflow/tfjs-core` instance; only pure helpers and a few internal backprop ops are copied.
//
// A library must not clobber what the application (or another library) set up, so a gradient is
// registered only for kernels that have none yet.
const { readFileSync } = require('node:fs');
const { dirname, join, relative, resolve } = require('node:path');

const CORE_DIST = dirname(require.resolve('@tensorflow/tfjs-core/dist/register_all_gradients.js'));
const tf = require('@tensorflow/tfjs-core');

const isIdentifier = (n) => /^[A-Za-z_$][\w$]*$/.test(n);
const SHIMS = {
  engine: "import { engine } from '@tensorflow/tfjs-core'; export const ENGINE = engine();",
  environment: "import { env } from '@tensorflow/tfjs-core'; export { env }; export const ENV = env();",
  kernel_registry: [
    "import { registerGradient as register, getGradient, getKernel } from '@tensorflow/tfjs-core';",
    'export { getGradient, getKernel };',
    'export function registerGradient(config) { if (!getGradient(config.kernelName)) register(config); }',
  ].join('\n'),
  util: `import { util } from '@tensorflow/tfjs-core'; ${Object.keys(tf.util)
    .filter(isIdentifier)
    .map((n) => `export const ${n} = util.${n};`)
    .join(' ')}`,
  base: "export * from '@tensorflow/tfjs-core';",
};

/** Names a tfjs-core ES module exports (enough for the op files: `export const` / `export {…}`). */
function exportsOf(file) {
  const src = readFileSync(file, 'utf8');
  const names = new Set();
  for (const m of src.matchAll(/export (?:const|function|let|var|class) (\w+)/g)) names.add(m[1]);
  for (const m of src.matchAll(/export \{([^}]+)\}/g)) {
    for (const part of m[1].split(',')) names.add(part.trim().split(/\s+as\s+/).pop());
  }
  return [...names].filter(Boolean);
}

module.exports = {
  name: 'tips-tfjs-gradients',
  setup(build) {
    build.onResolve({ filter: /^@tensorflow\/tfjs-core\/dist\/register_all_gradients$/ }, () => ({
      path: join(CORE_DIST, 'register_all_gradients.js'),
    }));
    build.onResolve({ filter: /^\.\.?\// }, (args) => {
      if (!args.importer.startsWith(CORE_DIST)) return undefined;
      const target = resolve(dirname(args.importer), args.path).replace(/\.js$/, '');
      const rel = relative(CORE_DIST, target);
      if (SHIMS[rel] !== undefined) return { path: rel, namespace: 'tfjs-shim' };
      if (rel.startsWith('ops/')) {
        const names = exportsOf(`${target}.js`);
        if (names.length && names.every((n) => n in tf)) return { path: rel, namespace: 'tfjs-public', pluginData: names };
      }
      return { path: `${target}.js` };
    });
    build.onLoad({ filter: /.*/, namespace: 'tfjs-shim' }, (args) => ({ contents: SHIMS[args.path], loader: 'js', resolveDir: CORE_DIST }));
    build.onLoad({ filter: /.*/, namespace: 'tfjs-public' }, (args) => ({
      contents: `export { ${args.pluginData.join(', ')} } from '@tensorflow/tfjs-core';`,
      loader: 'js',
      resolveDir: CORE_DIST,
    }));
  },
};
