export { TrainingDivergedError, TrainConfigError, ResumeError, CheckpointChecksumError, RunFolderExistsError } from './errors';
export { warmupCosine, cosine, linearWarmup } from './optim/schedules';
export { AdamW, decays, type AdamWOptions } from './optim/adamw';
export { clipGradNorm } from './optim/clip-grad';
export type { StepContext, LossResult, Trainable, DataPosition, DataSource, SkipCounts } from './loop/types';
export { train, type TrainOptions, type TrainResult, type StepRecord } from './loop/train-loop';
export {
  writeTrainCheckpoint,
  readTrainCheckpoint,
  latestCheckpoint,
  findResumeCheckpoint,
  verifyTrainCheckpoint,
  verifyCheckpointChecksums,
  removeStrayTempDirs,
  setAsideDamagedCheckpoints,
  stepCheckpoints,
  sha256File,
  CHECKSUMS_FILE,
  type ResumeCheckpoint,
  pruneCheckpoints,
  stepDirName,
  TRAIN_STATE_FORMAT,
  type TrainStateJson,
  type LoadedTrainCheckpoint,
} from './checkpoint/train-checkpoint';
export { JsonlLog } from './metrics/jsonl-log';
export { Progress, formatDuration } from './metrics/progress';
export type { Head, EncoderFeatures } from './heads/head';
export { HeadTrainable, encode, type HeadBatch, type HeadTrainableOptions } from './heads/head-trainable';
export { saveHead, readHeadInfo, loadHeadParams, HEAD_FORMAT } from './heads/head-file';
export { tipsConfigSchema, type TipsConfig, type TipsConfigPatch } from './tips/config';
export { PRESETS, TINY } from './tips/presets';
export { resolveTipsConfig, validateTipsConfig, mergeDeep, parseOverride, type ResolveOptions } from './tips/load-config';
export { TipsModel, visionConfigOf, textConfigOf, towerInitOf } from './tips/model';
export { TipsObjective } from './tips/objective';
export { resolveTipsData, tipsDataSource, readRunConfig, type ResolvedData } from './tips/data-source';
export { exportTips, type ExportedTips } from './tips/export';
export { trainTips, optimOptionsOf, resolveTokenizerPath, type TrainTipsOptions, type TrainTipsResult } from './tips/run';
export { type ExternalGradients } from './loop/train-loop';
export { TipsDataParallel, resolveWorkers, sliceTipsBatch, hashVariables, syntheticTipsBatch, type TipsDataParallelOptions, type ParallelStepInfo, type TipsShard, type TipsWorkerInit } from './parallel/index';
export { prepareRunFolder, sameRunConfig, existingRunEntries, RUN_FOLDER_ENTRIES, type PrepareRunFolderOptions } from './tips/run-folder';
