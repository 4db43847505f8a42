// tfjs-core's CommonJS bundle registers no gradients; the gradient tests load its ESM
// `dist/register_all_gradients` (see src/model/gradients.test-helper.ts), so jest transforms
// tfjs-core's ESM files (everything in its dist/ except the tf-core.* bundles).
const base = require('../../jest.config.base.cjs');
module.exports = {
  ...base,
  transformIgnorePatterns: ['/node_modules/(?!@tensorflow/tfjs-core/dist/(?!tf-core))'],
};
