// @tips/eval: frozen-feature probes and metrics for TIPS, and the evaluation report.
export { EvalInputError, EvalTaskError, EvalCheckpointError, ReportError } from './errors';

// Metrics (pure functions)
export { ConfusionMatrix, DEFAULT_IGNORE_INDEX } from './metrics/confusion';
export { depthMetrics, DepthMetricAccumulator, type DepthMetrics, type DepthMetricOptions } from './metrics/depth';
export { top1Accuracy, topKAccuracy, argmaxRows } from './metrics/accuracy';
export { knnClassify, type KnnOptions } from './metrics/knn';
export { classEmbeddings, fillTemplates, zeroShotClassify } from './metrics/zero-shot';
export { retrievalRecall, type RetrievalRecall } from './metrics/retrieval';
export { zeroShotSegment } from './metrics/zero-shot-seg';
export { l2NormalizeRows, matMulTransposed } from './metrics/vectors';
export { bilinearMatrix, resizeMapsBilinear, upsampleBilinear } from './ops/bilinear';

// Probes (Heads on @tips/trainer's interface)
export { LinearSegHead, LINEAR_SEG_KIND, type SegTarget, type LinearSegConfig } from './heads/linear-seg';
export { DepthBinsHead, DEPTH_BINS_KIND, type DepthTarget, type DepthBinsConfig, type DepthReadout } from './heads/depth-bins';
export { LinearClassifierHead, LINEAR_CLASSIFIER_KIND, type ClassTarget, type ClassifierInput, type LinearClassifierConfig } from './heads/linear-classifier';
export { segmentationCrossEntropy, classificationCrossEntropy, sigLoss, type SigLossOptions } from './heads/losses';
export { trainProbe, type ProbeTrainOptions, type ProbeTrainResult } from './heads/train-probe';
export { loadHead, registerHeadKind, type HeadFactory } from './heads/registry';

// Features
export { extractFeatures, type ImageBatches, type ExtractOptions } from './features/extract';
export { featureBatch, disposeFeatures, gatherRows, patchesOf, type FeatureSet } from './features/feature-set';
export { featureSource, type FeatureSourceOptions } from './features/feature-source';
export { lastBlockPatches, type LastBlockMode } from './features/last-block';

// Data and text
export { openEvalSplit, splitImages, loadMasks, loadDepths, splitCaptions, splitHas, resizeNearest, type EvalSplit, type OpenSplitOptions, type CaptionChoice } from './data/eval-split';
export { readDatasetInfo, type DatasetInfo } from './data/dataset-info';
export { embedTexts, type TextSide } from './text/embed-texts';
export { CLASSIFICATION_TEMPLATES, SEGMENTATION_TEMPLATES } from './text/prompts';

// Tasks, evaluate() and the report
export { ALL_TASKS, type EvalTask, type GlobalEmbedding, type ProbeSettings, type TaskResults, type SegResult, type DepthResult, type KnnResult, type LinearResult, type ZeroShotResult, type RetrievalResult, type ZeroShotSegResult, type ProbeSummary } from './tasks/types';
export { evaluate, type EvaluateOptions, type EvaluateResult } from './evaluate';
export { headlineMetrics, headlineTable, compareHeadline, formatMetric, HEADLINE_COLUMNS } from './report/headline';
export { writeReport, type WriteReportOptions } from './report/write-report';
export { renderVegaLite } from './report/vega-render';
export { curvesSpec, barsSpec, type CurvePoint } from './report/charts';
export { readRunCurves } from './report/run-log';
export { pcaRgb, principalComponents } from './report/pca';
export { panelGrid, enlargeNearest, type Panel } from './report/panels';
export { colouriseClasses, colouriseDepth, viridis, classColour } from './report/colours';
export type { EvalReport, FigureData, HeadlineMetrics } from './report/types';
export { resolveCheckpoint, loadModel, type ResolvedCheckpoint, type LoadedModel, type LoadModelOptions } from './checkpoint';
export { builtinEvalScenes, type BuiltinScenesOptions } from './builtin-scenes';
export { evaluateCheckpoint, type EvaluateCheckpointOptions } from './evaluate-checkpoint';

// Closed-form probes and statistics over seeds
export { fitRidge, predictRidge, selectRidge, meanSquaredError, type RidgeModel, type RidgeSelection } from './heads/ridge';
export { summarize, compareSummaries, formatSummary, type MetricSummary, type Comparison } from './stats/summary';
