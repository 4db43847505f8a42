// esbuild plugin used by tsup: bundles tfjs-core's own gradient definitions
// (`@tensorflow/tfjs-core/dist/register_all_gradients`, which Node cannot load: tfjs-core ships it
// only as ES modules inside a CommonJS package) into @tips/runtime, wired to the one public
// tfjs-core instance of the application. Stateful modules (the engine, the environment, the kernel
// registry) and every op that tfjs-core exports publicly resolve to `@tensorflow/tfjs-core`; only
// pure helpers and the few internal backprop ops are copied.
const { readFileSync } = require('node:fs');
const { dirname, join, relative, resolve } = require('node:path');

const CORE_DIST = dirname(require.resolve('@tensorflow/tfjs-core/dist/register_all_gradients.js'));
const tf = require('@tensorflow/tfjs-core');

const utilNames = Object.keys(tf.util).filter((n) => /^[A-Za-z_$][\w$]*$/.test(n));
const SHIMS = {
  engine: "import { engine } from '@tensorflow/tfjs-core'; export const ENGINE = engine();",
  environment: "import { env } from '@tensorflow/tfjs-core'; export { env }; export const ENV = env();",
  kernel_registry: "export { registerGradient, getGradient, getKernel } from '@tensorflow/tfjs-core';",
  util: `import { util } from '@tensorflow/tfjs-core'; ${utilNames.map((n) => `export const ${n} = util.${n};`).join(' ')}`,
  base: "export * from '@tensorflow/tfjs-core';",
};

function exportedNames(file) {
  const src = readFileSync(file, 'utf8');
  const names = new Set();
  for (const m of src.matchAll(/export (?:const|function|let|var|class) (\w+)/g)) names.add(m[1]);
  for (const m of src.matchAll(/export \{([^}]+)\}/g)) for (const n of m[1].split(',')) names.add(n.trim().split(/\s+as\s+/).pop());
  return [...names].filter(Boolean);
}

module.exports = {
  name: 'tfjs-gradients',
  setup(build) {
    build.onResolve({ filter: /^@tensorflow\/tfjs-core\/dist\/register_all_gradients$/ }, () => ({
      path: join(CORE_DIST, 'register_all_gradients.js'),
    }));
    build.onResolve({ filter: /^\.\.?\// }, (args) => {
      if (!args.importer.startsWith(CORE_DIST)) return undefined;
      const target = resolve(dirname(args.importer), args.path);
      const rel = relative(CORE_DIST, target).replace(/\.js$/, '');
      if (SHIMS[rel]) return { path: rel, namespace: 'tfjs-shim' };
      if (rel.startsWith('ops/')) {
        const file = `${target.replace(/\.js$/, '')}.js`;
        const names = exportedNames(file);
        // Public ops resolve to the application's tfjs-core; helpers and internal ops are copied.
        if (names.length && names.every((n) => n in tf)) return { path: rel, namespace: 'tfjs-public', pluginData: names };
        return { path: file };
      }
      return { path: `${target.replace(/\.js$/, '')}.js` };
    });
    build.onLoad({ filter: /.*/, namespace: 'tfjs-shim' }, (args) => ({ contents: SHIMS[args.path], loader: 'js', resolveDir: CORE_DIST }));
    build.onLoad({ filter: /.*/, namespace: 'tfjs-public' }, (args) => ({
      contents: `export { ${args.pluginData.join(', ')} } from '@tensorflow/tfjs-core';`,
      loader: 'js',
      resolveDir: CORE_DIST,
    }));
  },
};
