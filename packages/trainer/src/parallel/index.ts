export { TipsDataParallel, resolveWorkers, type TipsDataParallelOptions, type ParallelStepInfo } from './tips-data-parallel';
export { sliceTipsBatch } from './tips-shard';
export { hashVariables } from './weights-hash';
export { syntheticTipsBatch } from './synthetic-batch';
export type { TipsShard, TipsWorkerInit } from './protocol';
