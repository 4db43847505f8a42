export { DataParallelPool, type DataParallelOptions, type StepOptions, type StepResult } from './pool';
export { FlatAdam, type FlatAdamOptions } from './flat-adam';
export { flatLayout, viewsOf, shardRanges, segmentOf, ParallelError, type FlatLayout, type ParamShape } from './layout';
export type { GradientModule, GradientResult, WeightSet, WorkerContext, UpdateSegment } from './module-api';
