import * as tf from '@tensorflow/tfjs-core';
import { customOp } from './custom-grad';

/** The part of tfjs-core's engine state that a nested gradient call changes (engine.ts, tfjs 4.22). */
interface TapeState {
  gradientDepth: number;
  activeTape: unknown[] | null;
}

/**
 * Gradient checkpointing (recompute in backward) of one pure tensor function.
 *
 * Runs `fn(...inputs)` as ONE differentiable op. When a gradient tape is recording, the forward
 * pass runs `fn` with the tape off, so the op saves only its inputs and every intermediate of `fn`
 * is freed as soon as it returns; the backward pass recomputes `fn` on the saved inputs under a
 * nested gradient tape and returns the gradient of every input (zeros for an input `fn` does not
 * use). The intermediate activations and gradients of `fn` therefore live only while its own
 * backward runs, instead of from the forward pass to the end of the whole backward pass — the
 * memory of a deep model's training step drops from Σ(blocks) to max(block) + the block inputs,
 * for one extra forward pass of `fn`.
 *
 * Rules for `fn`: a pure function of its arguments — read every tensor that needs a gradient
 * (parameters included: pass tf.Variables in `inputs`, their gradients come back through this op)
 * from the arguments, never from a closure, and draw no random numbers inside (draw them once
 * outside and pass the result as an input tensor, so that the recompute sees the same values).
 * Inputs must be float32. Returns one tensor, owned by the caller as any op result.
 *
 * When no tape is recording (inference, or inside another custom op's forward) it is a plain call
 * `fn(...inputs)`: no copies, no extra work.
 */
export function checkpointed<T extends tf.Tensor>(fn: (...inputs: tf.Tensor[]) => T, inputs: tf.Tensor[]): T {
  if (!tf.engine().isTapeOn()) return fn(...inputs);
  return customOp<T>(inputs, (save) => {
    save(inputs);
    // Runs with the tape off (tfjs runs a custom op's forward at kernel depth > 0): nothing inside
    // is recorded or saved, and the custom op's tidy frees every intermediate.
    const value = fn(...inputs);
    return { value, gradFunc: (dy, saved) => recomputeGradients(fn, saved, dy) };
  });
}

/** Recomputes `fn(...saved)` under a fresh tape and backpropagates `dy` through it. */
function recomputeGradients(fn: (...inputs: tf.Tensor[]) => tf.Tensor, saved: tf.Tensor[], dy: tf.Tensor): tf.Tensor[] {
  const engine = tf.engine();
  const state = engine.state as unknown as TapeState;
  // tfjs 4.22 engine.gradients(): at gradient depth 0 (where the outer backward pass runs) it
  // replaces state.activeTape with a fresh tape, and when done disposes that tape's saved tensors
  // and sets state.activeTape = null. The outer engine.gradients() then still has to walk its own
  // tape (state.activeTape) to free the saved tensors of the other ops, so it is put back here.
  const outerTape = state.activeTape;
  const outerDepth = state.gradientDepth;
  try {
    return tf.tidy(() => {
      const { value, grads } = engine.gradients(() => fn(...saved), saved, dy as tf.Tensor, true);
      value.dispose();
      return grads.map((g, i) => g ?? tf.zerosLike(saved[i]!));
    });
  } finally {
    if (outerDepth === 0) state.activeTape = outerTape;
  }
}
