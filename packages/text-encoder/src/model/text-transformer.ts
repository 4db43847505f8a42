import * as tf from '@tensorflow/tfjs-core';
import { checkpointed, dense, layerNorm, multiHeadAttention, type ParamStore } from '@tips/runtime';
import { TextInputError } from '../errors';
import type { SentencePieceTokenizer, TokenizeOptions } from '../tokenizer/tokenizer';
import type { TextConfig } from './config';
import { embeddingLookup } from './embedding';
import { initTextParams, type TextInitOptions } from './init';
import { blockPrefix } from './params';
import { sinusoidalPositions } from './positional';

export interface TextForwardOptions {
  /** Check that every id is inside the vocabulary (reads the ids back; default true). */
  checkIds?: boolean;
  /**
   * Gradient checkpointing per transformer block (default false): under a gradient tape each block
   * runs as one op (@tips/runtime `checkpointed`) that keeps only its input and recomputes the block
   * in the backward pass, so training holds one block's activations and gradients at a time. Same
   * values and gradients; no effect without a tape (inference).
   */
  checkpointBlocks?: boolean;
}

/** Parameter names of text block i (prefix p), in the order the block function takes them. */
const BLOCK_PARAMS = [
  'ln_1.weight',
  'ln_1.bias',
  'attn.in_proj_weight',
  'attn.in_proj_bias',
  'attn.out_proj.weight',
  'attn.out_proj.bias',
  'ln_2.weight',
  'ln_2.bias',
  'mlp.c_fc.weight',
  'mlp.c_fc.bias',
  'mlp.c_proj.weight',
  'mlp.c_proj.bias',
] as const;

export interface EmbedOptions extends TokenizeOptions {
  /** Tokens per text (default config.maxLen, 64 for TIPS). */
  maxLen?: number;
}

/**
 * The TIPS text tower (google-deepmind/tips pytorch/text_encoder.py TextEncoder): token embedding
 * × √D + sinusoidal positions, pre-LN blocks (nn.MultiheadAttention that ignores padded keys, ReLU
 * MLP zeroed at padding before and after c_proj), final LayerNorm, mean over the non-padding
 * tokens. Every matmul goes through @tips/runtime's dense / multiHeadAttention. Differentiable in
 * its parameters (tf.variableGrads). Owns its parameters: call dispose().
 */
export class TextTransformer {
  constructor(
    readonly config: TextConfig,
    readonly params: ParamStore,
    /** The contrastive temperature stored with the checkpoint (official `temperature` key or HF config), if any. */
    public temperature: number | null = null,
  ) {}

  /** Fresh parameters for training from scratch (seeded; see initTextParams for the scheme). */
  static init(config: TextConfig, options: TextInitOptions = {}): TextTransformer {
    return new TextTransformer(config, initTextParams(config, options));
  }

  private w(name: string): tf.Tensor2D {
    return this.params.get(name) as tf.Tensor2D;
  }

  private b(name: string): tf.Tensor1D {
    return this.params.get(name) as tf.Tensor1D;
  }

  /**
   * Pooled text embeddings [B, D] (not L2-normalised), as the official TextEncoder(ids, paddings).
   * `ids` [B, L] int32 token ids (0 = padding); `paddings` [B, L], 1 at padding (float32 or
   * int32). The caller disposes the result; the inputs are not disposed.
   */
  forward(ids: tf.Tensor, paddings: tf.Tensor, options: TextForwardOptions = {}): tf.Tensor2D {
    const cfg = this.config;
    if (ids.rank !== 2) throw new TextInputError(`ids must be [B, L]; got shape ${JSON.stringify(ids.shape)}`);
    if (ids.dtype !== 'int32') throw new TextInputError(`ids must be an int32 tensor; got ${ids.dtype} (use tf.tensor2d(ids, shape, 'int32'))`);
    if (paddings.rank !== 2 || paddings.shape[0] !== ids.shape[0] || paddings.shape[1] !== ids.shape[1]) {
      throw new TextInputError(`paddings must have the shape of ids ${JSON.stringify(ids.shape)}; got ${JSON.stringify(paddings.shape)}`);
    }
    const [B, L] = ids.shape as [number, number];
    if (L < 1) throw new TextInputError('ids has no positions (L = 0); tokenize with maxLen ≥ 1');
    if (options.checkIds ?? true) this.checkIds(ids);
    const D = cfg.hiddenSize;
    return tf.tidy(() => {
      const pad = tf.cast(paddings, 'float32');
      // mask = (paddings == 0): keys attended to and MLP rows kept.
      const keep = tf.cast(tf.equal(pad, 0), 'float32') as tf.Tensor2D;
      let x: tf.Tensor = tf.mul(embeddingLookup(this.w('token_embedding.weight'), ids), Math.sqrt(D));
      x = tf.add(x, tf.tensor2d(sinusoidalPositions(L, D), [L, D]));
      for (let i = 0; i < cfg.numLayers; i++) {
        const p = blockPrefix(i);
        const params = BLOCK_PARAMS.map((n) => this.params.get(`${p}${n}`));
        // keep [B, L] is an input too: a checkpointed block recomputes from its saved inputs only.
        const inputs = [x, keep, ...params];
        x = options.checkpointBlocks ? checkpointed(this.blockFn, inputs) : this.blockFn(...inputs);
      }
      x = layerNorm(x, this.b('ln_final.weight'), this.b('ln_final.bias'), cfg.eps);
      // GlobalAvgPooling: zero where paddings > 0, divide by Σ(1 − paddings) + 1e-8.
      const valid = tf.cast(tf.lessEqual(pad, 0), 'float32');
      const sum = tf.sum(tf.mul(x, tf.expandDims(valid, -1)), 1);
      const count = tf.add(tf.sum(tf.sub(1, pad), 1, true), 1e-8);
      return tf.reshape(tf.div(sum, count), [B, D]) as tf.Tensor2D;
    });
  }

  /**
   * One pre-LN block as a pure function of (x [B, L, D], keep [B, L] — 1 at real tokens, its
   * parameters in BLOCK_PARAMS order): attention that ignores padded keys, ReLU MLP zeroed at padding.
   */
  private readonly blockFn = (...args: tf.Tensor[]): tf.Tensor3D => {
    const cfg = this.config;
    const [x, keep] = args as [tf.Tensor3D, tf.Tensor2D];
    const [ln1w, ln1b, inW, inB, outW, outB, ln2w, ln2b, fcW, fcB, projW, projB] = args.slice(2) as [
      tf.Tensor1D, tf.Tensor1D, tf.Tensor2D, tf.Tensor1D, tf.Tensor2D, tf.Tensor1D, tf.Tensor1D, tf.Tensor1D, tf.Tensor2D, tf.Tensor1D, tf.Tensor2D, tf.Tensor1D,
    ];
    const keep3 = tf.expandDims(keep, -1);
    const h = layerNorm(x, ln1w, ln1b, cfg.eps);
    const qkv = dense(h, inW, inB);
    const [q, k, v] = tf.split(qkv, 3, -1) as [tf.Tensor3D, tf.Tensor3D, tf.Tensor3D];
    const a = multiHeadAttention(q, k, v, { heads: cfg.numHeads, keyMask: keep });
    const y = tf.add(x, dense(a, outW, outB));
    const h2 = layerNorm(y, ln2w, ln2b, cfg.eps);
    let m = tf.mul(tf.relu(dense(h2, fcW, fcB)), keep3);
    m = tf.mul(dense(m, projW, projB), keep3);
    return tf.add(y, m) as tf.Tensor3D;
  };

  private checkIds(ids: tf.Tensor): void {
    const V = this.config.vocabSize;
    const data = ids.dataSync() as Int32Array;
    for (let i = 0; i < data.length; i++) {
      const id = data[i]!;
      if (id < 0 || id >= V) {
        throw new TextInputError(
          `token id ${id} at position ${i} is outside the vocabulary of this text tower (0..${V - 1}); the tokenizer does not match the checkpoint`,
        );
      }
    }
  }

  /**
   * Tokenizes, runs the tower and L2-normalises (as run_text_encoder_inference.py: norm clipped
   * at 1e-3): texts → [B, D] unit vectors. The caller disposes the result.
   */
  embed(tokenizer: SentencePieceTokenizer, texts: string | readonly string[], options: EmbedOptions = {}): tf.Tensor2D {
    if (tokenizer.vocabSize > this.config.vocabSize) {
      throw new TextInputError(
        `the tokenizer has ${tokenizer.vocabSize} pieces but this text tower only ${this.config.vocabSize} embeddings; load the tokenizer that belongs to the checkpoint`,
      );
    }
    const batch = tokenizer.tokenize(texts, options.maxLen ?? this.config.maxLen, options);
    return tf.tidy(() => {
      const ids = tf.tensor2d(batch.ids, batch.shape, 'int32');
      const pad = tf.tensor2d(batch.paddings, batch.shape, 'float32');
      const e = this.forward(ids, pad, { checkIds: false });
      const norm = tf.maximum(tf.norm(e, 'euclidean', -1, true), 1e-3);
      return tf.div(e, norm) as tf.Tensor2D;
    });
  }

  /** Number of scalar parameters. */
  parameterCount(): number {
    return this.params.count();
  }

  dispose(): void {
    this.params.dispose();
  }
}
