// Registers tfjs-core's gradient functions for kernels that have none yet (tf.grad, tf.variableGrads
// and the optimisers need them; in Node only the full @tensorflow/tfjs bundle registers them). The
// build bundles tfjs-core's own definitions here (the repository's build/tfjs-gradients-plugin.cjs), wired to the
// application's tfjs-core, so that tfjs-core + a backend is enough to train.
import '@tensorflow/tfjs-core/dist/register_all_gradients';
