export { TrainingDivergedError, TrainConfigError, ResumeError } from './errors';
export { warmupCosine, cosine, linearWarmup } from './optim/schedules';
export { AdamW, decays, type AdamWOptions } from './optim/adamw';
export { clipGradNorm } from './optim/clip-grad';
export type { StepContext, LossResult, Trainable, DataPosition, DataSource } from './loop/types';
export { train, type TrainOptions, type TrainResult, type StepRecord } from './loop/train-loop';
export {
  writeTrainCheckpoint,
  readTrainCheckpoint,
  latestCheckpoint,
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
