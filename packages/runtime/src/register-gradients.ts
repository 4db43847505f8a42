// Registers tfjs-core's gradient functions (tf.grad, tf.variableGrads need them). In Node only the
// full @tensorflow/tfjs bundle does this; our build bundles tfjs-core's own definitions here instead
// (see the repository's build/tfjs-gradients-plugin.cjs), so that tfjs-core + a backend is enough to train.
import '@tensorflow/tfjs-core/dist/register_all_gradients';
