// Test-only: registers tfjs's gradient functions. tfjs-core's CommonJS bundle ships none and its
// ESM `register_all_gradients` is not loadable by plain Node; jest transforms it (jest.config.cjs).
// Kernel and gradient registries are global, so registering from this copy serves the CJS bundle.
export function registerAllGradients(): void {
  require('@tensorflow/tfjs-core/dist/register_all_gradients');
}
