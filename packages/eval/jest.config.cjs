const path = require('node:path');

// vega 6 and vega-lite 6 are ESM-only (vega with top-level await), which jest's CommonJS runtime
// cannot load; their self-contained UMD bundles are the same code, so tests map to those.
const vegaBuild = path.dirname(require.resolve('vega'));
const vegaLiteBuild = path.dirname(require.resolve('vega-lite'));

module.exports = {
  ...require('../../jest.config.base.cjs'),
  moduleNameMapper: {
    '^vega$': path.join(vegaBuild, 'vega.js'),
    '^vega-lite$': path.join(vegaLiteBuild, 'vega-lite.min.js'),
  },
};
