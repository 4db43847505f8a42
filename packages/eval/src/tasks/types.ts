import type { EvalSplit } from '../data/eval-split';
import type { FeatureSet } from '../features/feature-set';
import type { ProbeTrainOptions } from '../heads/train-probe';
import type { DepthReadout } from '../heads/depth-bins';
import type { TextSide } from '../text/embed-texts';
import type { CaptionChoice } from '../data/eval-split';

/** The evaluation tasks of the TIPS paper (§4) and TIPSv2. */
export type EvalTask = 'seg' | 'depth' | 'knn' | 'linear' | 'zeroshot' | 'retrieval' | 'zsseg';
export const ALL_TASKS: readonly EvalTask[] = ['seg', 'depth', 'knn', 'linear', 'zeroshot', 'retrieval', 'zsseg'];

/** Which embedding stands for the whole image in global tasks. */
export type GlobalEmbedding = 'cls1' | 'cls2';

/** A split with its frozen features and the targets the tasks need. */
export interface SplitData {
  split: EvalSplit;
  features: FeatureSet;
  /** Image size fed to the tower and size of masks/depth maps [H, W]. */
  size: [number, number];
  labels?: Int32Array;
  masks?: Uint8Array[];
  depth?: Float32Array[];
}

export interface ProbeSettings extends ProbeTrainOptions {
  batchSize?: number;
  /**
   * Resolution of the dense probes' training targets, in pixels per patch side: masks and depth maps
   * are resized (nearest) to (s·h)×(s·w) for the training loss (default 4, the ×4 of DINOv2's depth
   * head; 0 = full label size, as DINOv2 on GPUs). Metrics are always computed at full label size.
   */
  targetScale?: number;
  /**
   * How the linear classification and segmentation probes are fitted: 'ridge' (default) solves ridge
   * regression in closed form (onto one-hot labels; onto each patch's class fractions) with λ chosen
   * on a hold-out; 'sgd' trains with AdamW for `steps`.
   */
  solver?: 'ridge' | 'sgd';
}

/** Everything a task needs; built by evaluate(). */
export interface TaskContext {
  train?: SplitData;
  test: SplitData;
  text?: TextSide;
  embedding: GlobalEmbedding;
  probe: ProbeSettings;
  /** Folder for the probes' runs (metrics.jsonl, checkpoint, head.safetensors). */
  workDir: string;
  maskClasses?: string[];
  labelClasses?: string[];
  classificationPrompts: readonly string[];
  segmentationPrompts: readonly string[];
  captions: CaptionChoice;
  knn: { k: number; temperature: number };
  depth: { range?: [number, number]; readout: DepthReadout; bins: number; upsample: number };
  ignoreIndex: number;
  /** Test samples whose predictions the report shows. */
  figureIndices: number[];
  log: (line: string) => void;
}

/** How a probe was trained (for the report). */
export interface ProbeSummary {
  /** 'sgd' (AdamW with @tips/trainer's loop) or 'ridge' (closed form; steps 0, losses empty). */
  solver?: 'sgd' | 'ridge';
  /** Ridge: the λ chosen on the hold-out, and the hold-out's MSE. */
  lambda?: number;
  valLoss?: number;
  steps: number;
  finalLoss: number;
  losses: number[];
  seconds: number;
  headPath: string | null;
}

export interface SegResult {
  miou: number;
  pixelAccuracy: number;
  iou: Record<string, number | null>;
  probe: ProbeSummary;
  /** Class maps [H·W] of the figure samples. */
  predictions: Uint8Array[];
}

export interface DepthResult {
  rmse: number;
  absRel: number;
  delta1: number;
  delta2: number;
  delta3: number;
  images: number;
  range: [number, number];
  probe: ProbeSummary;
  predictions: Float32Array[];
}

export interface KnnResult {
  top1: number;
  top5?: number;
  k: number;
  temperature: number;
}

export interface LinearResult {
  top1: number;
  probe: ProbeSummary;
}

export interface ZeroShotResult {
  top1: number;
  classes: string[];
  templates: number;
}

export interface RetrievalResult {
  imageToText: Record<number, number>;
  textToImage: Record<number, number>;
  images: number;
  texts: number;
  captions: CaptionChoice;
}

export interface ZeroShotSegResult {
  miou: number;
  pixelAccuracy: number;
  iou: Record<string, number | null>;
  /** 'values' when the MaskCLIP values trick was used, 'tokens' for the plain patch tokens. */
  patchEmbeddings: 'values' | 'tokens';
  predictions: Uint8Array[];
}

export interface TaskResults {
  seg?: SegResult;
  depth?: DepthResult;
  knn?: KnnResult;
  linear?: LinearResult;
  zeroshot?: ZeroShotResult;
  retrieval?: RetrievalResult;
  zsseg?: ZeroShotSegResult;
}
