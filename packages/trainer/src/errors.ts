import { TipsError } from '@tips/runtime';

/** A loss term or gradient became NaN/Inf: names the step and the term, so the run can be fixed. */
export class TrainingDivergedError extends TipsError {
  constructor(
    readonly step: number,
    readonly term: string,
    readonly value: number,
  ) {
    super(
      'TRAINING_DIVERGED',
      `step ${step}: ${term} is ${value}. Training stopped before the bad update was applied; lower the learning rate, raise warm-up or gradient clipping, or resume from the last checkpoint`,
    );
  }
}

/** A training configuration that cannot run (schema, unknown key, wrong type, impossible value). */
export class TrainConfigError extends TipsError {
  constructor(message: string) {
    super('TRAIN_CONFIG', message);
  }
}

/** A checkpoint directory that cannot be resumed (missing files, other run's config). */
export class ResumeError extends TipsError {
  constructor(message: string) {
    super('RESUME', message);
  }
}
