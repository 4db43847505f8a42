import * as tf from '@tensorflow/tfjs-core';
import type { VisionTransformer } from '@tips/vit-core';
import type { LossResult, StepContext, Trainable } from '../loop/types';
import type { EncoderFeatures, Head } from './head';
import { TrainConfigError } from '../errors';

/**
 * A batch for head training: NHWC images in [0, 1] (the encoder runs in the step), or features
 * computed beforehand from a frozen tower (faster: probes train many epochs on cached features).
 */
export interface HeadBatch<Target> {
  images?: tf.Tensor4D;
  features?: EncoderFeatures;
  target: Target;
}

export interface HeadTrainableOptions {
  /** Train the image tower too (fine-tuning); default false: frozen features. */
  fineTune?: boolean;
  /** Prefix of the encoder's variables in checkpoints (default 'encoder.'). */
  encoderPrefix?: string;
}

/** Runs the encoder and returns features for a head (frozen: computed outside the gradient). */
export function encode(encoder: VisionTransformer, images: tf.Tensor4D, layers: number[] | undefined, training: boolean, ctx?: StepContext): EncoderFeatures {
  const out = encoder.forward(images, { layers, training, rng: ctx?.rng });
  return { cls1: out.cls1, cls2: out.cls2, patches: out.patches, grid: out.grid, layers: out.layers };
}

/**
 * Trains a Head on a TIPS image tower with the shared loop. With a frozen tower the features carry
 * no gradient; with `fineTune` the tower's variables are trained too.
 */
export class HeadTrainable<Target> implements Trainable<HeadBatch<Target>> {
  private readonly fineTune: boolean;
  private readonly prefix: string;
  constructor(
    /** The image tower; null when every batch carries precomputed features (frozen probes). */
    readonly encoder: VisionTransformer | null,
    readonly head: Head<Target>,
    options: HeadTrainableOptions = {},
  ) {
    this.fineTune = options.fineTune ?? false;
    if (this.fineTune && !encoder) throw new TrainConfigError('fine-tuning needs the image tower (encoder)');
    this.prefix = options.encoderPrefix ?? 'encoder.';
  }

  trainableVariables(): Map<string, tf.Variable> {
    const out = new Map<string, tf.Variable>();
    for (const [k, v] of this.head.params.variables()) out.set(`head.${k}`, v);
    if (this.fineTune && this.encoder) for (const [k, v] of this.encoder.params.variables()) out.set(`${this.prefix}${k}`, v);
    return out;
  }

  stateVariables(): Map<string, tf.Variable> {
    const out = this.trainableVariables();
    // A frozen tower is not part of the head's training state (it is saved with the model, not here).
    return out;
  }

  loss(batch: HeadBatch<Target>, ctx: StepContext): LossResult {
    let features: EncoderFeatures;
    if (batch.features) {
      if (this.fineTune) throw new TrainConfigError('fine-tuning needs image batches, not precomputed features');
      features = batch.features;
    } else if (batch.images) {
      if (!this.encoder) throw new TrainConfigError('this head trainer has no encoder: give batches of precomputed features');
      features = this.fineTune
        ? encode(this.encoder, batch.images, this.head.layers, true, ctx)
        : stopGradient(encode(this.encoder, batch.images, this.head.layers, false));
    } else throw new TrainConfigError('a head batch needs images or features');
    const prediction = this.head.forward(features, { training: true });
    const total = this.head.loss(prediction, batch.target);
    return { total, terms: { [this.head.kind]: total } };
  }
}

function stopGradient(f: EncoderFeatures): EncoderFeatures {
  // Frozen tower: cut the tape so no gradient (and no tape memory) flows into it.
  const identityNoGrad = tf.customGrad(((x: tf.Tensor) => ({ value: tf.clone(x), gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy) })) as unknown as Parameters<typeof tf.customGrad>[0]);
  const cut = <T extends tf.Tensor>(t: T): T => identityNoGrad(t) as T;
  return {
    cls1: cut(f.cls1),
    cls2: cut(f.cls2),
    patches: cut(f.patches),
    grid: f.grid,
    layers: f.layers?.map((l) => ({ block: l.block, cls1: cut(l.cls1), cls2: cut(l.cls2), patches: cut(l.patches) })),
  };
}
