// Jest stand-in for `@tensorflow/tfjs-core/dist/register_all_gradients` (an ES module Node cannot
// require). The built package bundles those definitions (see tfjs-gradients-plugin.cjs); under jest
// the built @tips/runtime (a devDependency) registers the same tfjs-core gradients.
require('@tips/runtime');
