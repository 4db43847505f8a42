import { z } from 'zod';

const pair = z.tuple([z.number(), z.number()]);
const positiveInt = z.number().int().positive();

/** The image tower: a preset name (S, B, L, So400m, g) and/or explicit sizes. */
const visionSchema = z
  .object({
    preset: z.enum(['S', 'B', 'L', 'So400m', 'g']).optional(),
    embedDim: positiveInt.optional(),
    depth: positiveInt.optional(),
    heads: positiveInt.optional(),
    mlpHidden: positiveInt.optional(),
    ffn: z.enum(['mlp', 'swiglu']).optional(),
    /** Side of the learned position grid (global crop / 14 when training from scratch). */
    posGrid: positiveInt.optional(),
    /** LayerScale initial value (DINOv2: 1e-5). */
    layerScaleInit: z.number().positive(),
    /** Stochastic depth rate of the last block (linearly increasing over depth, as DINOv2). */
    dropPathRate: z.number().min(0).max(1),
    /** Expected input pixel value for the initialisation of the patch embedding (see @tips/vit-core initVitParams; 0 = official init). */
    initPixelMean: z.number().min(0).max(1),
    /** Start from these weights (official .npz, HF safetensors or ours) instead of random init. */
    init: z.string().optional(),
  })
  .strict();

const textSchema = z
  .object({
    preset: z.enum(['S', 'B', 'L', 'So400m', 'g']).optional(),
    hiddenSize: positiveInt.optional(),
    mlpDim: positiveInt.optional(),
    numHeads: positiveInt.optional(),
    numLayers: positiveInt.optional(),
    /** Token length of captions (official: 64). */
    maxLen: positiveInt,
    init: z.string().optional(),
  })
  .strict();

const termSchema = z.object({ enabled: z.boolean(), weight: z.number().min(0) }).strict();

const projectionSchema = z
  .object({
    prototypes: positiveInt,
    hiddenDim: positiveInt,
    bottleneckDim: positiveInt,
  })
  .strict();

export const tipsConfigSchema = z
  .object({
    model: z
      .object({
        vision: visionSchema,
        text: textSchema,
        /**
         * Gradient checkpointing of every transformer block of the student's image and text towers
         * (vit-core / text-encoder `checkpointBlocks`): each block keeps only its input through the
         * forward pass and is recomputed in the backward pass — one extra forward of the towers for
         * a step whose memory holds one block's activations and gradients at a time. Same losses and
         * gradients. Needed for S/14@224 and up on wasm (4 GB heap). Default false (tiny); the S, B
         * and g presets set it.
         */
        checkpointBlocks: z.boolean().default(false),
      })
      .strict(),
    objective: z
      .object({
        /** CLIP(cls1, web caption). */
        web: termSchema,
        /** CLIP(cls2, synthetic caption) — or CLIP(cls1, synthetic caption) when dualCls is false. */
        synthetic: termSchema,
        /** Two CLS embeddings (TIPS) or one shared embedding for every caption (CLIP baseline rows). */
        dualCls: z.boolean(),
        contrastive: z.enum(['softmax', 'sigmoid']),
        /** Initial logit scale (1/temperature; CLIP 1/0.07) and its clamp (100). */
        logitScaleInit: z.number().positive(),
        logitScaleMax: z.number().positive(),
        labelSmoothing: z.number().min(0).max(1),
        /** α · self-distillation (DINO loss: local-crop CLS of the student vs global CLS of the teacher). */
        distill: termSchema.extend({
          token: z.enum(['cls1', 'cls2']),
          head: projectionSchema,
          studentTemp: z.number().positive(),
          teacherTemp: z.object({ start: z.number().positive(), end: z.number().positive(), warmupSteps: z.number().int().min(0) }).strict(),
          centring: z.enum(['softmax', 'sinkhorn']),
          centreMomentum: z.number().min(0).max(1),
        }),
        /** β · masked image modelling (iBOT: masked patch tokens of the student vs the teacher's). */
        mim: termSchema.extend({
          /** TIPSv2 iBOT++: visible tokens contribute too, with this weight (0 = iBOT). */
          visibleWeight: z.number().min(0),
          /** Share the projection head with distillation (DINOv2 default: separate). */
          sharedHead: z.boolean(),
          head: projectionSchema,
          maskRatio: pair,
          maskProbability: z.number().min(0).max(1),
        }),
      })
      .strict(),
    teacher: z
      .object({
        /** EMA momentum, cosine from start to end over the run (DINO: 0.996 → 1). */
        momentum: z.object({ start: z.number().min(0).max(1), end: z.number().min(0).max(1) }).strict(),
        /** TIPSv2 head-only EMA: the teacher's backbone is the student's; only the heads are averaged. */
        headOnly: z.boolean(),
      })
      .strict(),
    data: z
      .object({
        /** A JSONL manifest; absent: the built-in spatial scenes (generated into `builtin.cache`). */
        manifest: z.string().optional(),
        builtin: z.object({ count: positiveInt, evalCount: positiveInt, seed: z.number().int(), size: positiveInt, cache: z.string(), perspective: z.boolean().optional() }).strict(),
        /** SentencePiece model; absent: the built-in scenes tokenizer. */
        tokenizer: z.string().optional(),
        globalSize: positiveInt,
        localSize: positiveInt,
        localCount: z.number().int().min(0),
        globalScale: pair,
        localScale: pair,
        batchSize: positiveInt,
        /** Decoding threads (0 = the training thread); more than the machine's cores are capped, with a warning. */
        workers: z.number().int().min(0),
        /**
         * Stop when more than this fraction of the images seen so far could not be decoded (missing,
         * corrupt), once more than `skipAllowance` were skipped; checked from the first batch (default 0.01).
         */
        maxSkippedFraction: z.number().min(0).max(1).optional(),
        /** Skipped images always tolerated before the fraction applies (default 2). */
        skipAllowance: z.number().int().min(0).optional(),
      })
      .strict(),
    optim: z
      .object({
        steps: positiveInt,
        lr: z.object({ peak: z.number().positive(), end: z.number().min(0), warmup: z.number().int().min(0) }).strict(),
        weightDecay: z.object({ start: z.number().min(0), end: z.number().min(0) }).strict(),
        clipGrad: z.number().min(0),
        accumulate: positiveInt,
        beta1: z.number().min(0).max(1),
        beta2: z.number().min(0).max(1),
        /** Parameter-name prefixes kept frozen, e.g. ["text."] to fine-tune the image tower only. */
        freeze: z.array(z.string()),
        /**
         * Data-parallel worker threads for the gradient (src/parallel): absent or 1 = this thread only;
         * 'auto' = os.availableParallelism(). With N > 1 each CLIP term is contrastive within a worker's
         * B/N pairs (see TipsDataParallel).
         */
        workers: z.union([positiveInt, z.literal('auto')]).optional(),
      })
      .strict(),
    run: z
      .object({
        seed: z.number().int(),
        out: z.string(),
        checkpointEvery: z.number().int().min(0),
        keepLast: positiveInt,
        logEvery: positiveInt,
      })
      .strict(),
  })
  .strict();

export type TipsConfig = z.infer<typeof tipsConfigSchema>;

/** Deep partial of a config (presets, files and CLI overrides are merged over a base). */
export type TipsConfigPatch = { [K in keyof TipsConfig]?: DeepPartial<TipsConfig[K]> };
type DeepPartial<T> = T extends readonly unknown[] ? T : T extends object ? { [K in keyof T]?: DeepPartial<T[K]> } : T;
