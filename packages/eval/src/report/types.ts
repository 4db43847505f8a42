import type { CaptionChoice } from '../data/eval-split';
import type { DepthReadout } from '../heads/depth-bins';
import type { EvalTask, GlobalEmbedding, ProbeSettings, TaskResults } from '../tasks/types';

/** The numbers a results table shows (the paper's Table 1 columns), absent when the task did not run. */
export interface HeadlineMetrics {
  segMiou?: number;
  depthRmse?: number;
  knnTop1?: number;
  linearTop1?: number;
  zeroshotTop1?: number;
  i2tR1?: number;
  t2iR1?: number;
  zssegMiou?: number;
}

/** What `evaluate` measured, JSON-serialisable (report.json). */
export interface EvalReport {
  format: 'tips-ts.eval-report';
  version: 1;
  createdAt: string;
  seconds: number;
  backend: string;
  model: {
    vision: { embedDim: number; depth: number; heads: number; patchSize: number; parameters: number };
    text: { hiddenSize: number; layers: number; parameters: number } | null;
    source?: string;
  };
  data: {
    imageSize: [number, number];
    test: { manifest: string; images: number };
    train: { manifest: string; images: number } | null;
  };
  settings: {
    tasks: EvalTask[];
    embedding: GlobalEmbedding;
    captions: CaptionChoice;
    probe: ProbeSettings;
    knn: { k: number; temperature: number };
    depth: { readout: DepthReadout; bins: number; upsample: number };
  };
  headline: HeadlineMetrics;
  /** The same evaluation of randomly initialised towers of the same architecture, when asked for. */
  baseline?: { name: string; headline: HeadlineMetrics };
  /** Per-task results (per-image predictions left out). */
  metrics: TaskResults;
  skipped: { task: EvalTask; reason: string }[];
  timings: Record<string, number>;
  /** Files of the written report, relative to its folder. */
  files: string[];
}

/** Per-image material for the report's figures (the first few test images). */
export interface FigureData {
  ids: string[];
  size: [number, number];
  grid: [number, number];
  /** RGB [H·W·3] as fed to the tower. */
  images: Uint8Array[];
  /** PCA of the patch tokens as RGB on the patch grid [h·w·3]. */
  pca: Uint8Array[];
  masks?: Uint8Array[];
  depth?: Float32Array[];
  maskClasses?: string[];
}
