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
  constructor(message: string, code = 'RESUME') {
    super(code, message);
  }
}

/**
 * A checkpoint file whose SHA-256 differs from the one recorded in the checkpoint's
 * `checksums.sha256` when it was written (bit rot, a partial copy, an edit): names the file.
 */
export class CheckpointChecksumError extends ResumeError {
  constructor(
    readonly file: string,
    readonly expected: string,
    readonly actual: string,
  ) {
    super(
      `${file}: SHA-256 is ${actual}, but the checkpoint recorded ${expected} when it was written; the file is corrupt. Resume from an earlier checkpoint (tips resume falls back to the newest intact one by itself) or restore the file`,
      'CHECKPOINT_CHECKSUM',
    );
  }
}

/**
 * `tips train --out DIR` on a folder that already holds a run (config.json or checkpoints):
 * refused so that two runs are never mixed in one folder.
 */
export class RunFolderExistsError extends TipsError {
  constructor(readonly dir: string, found: string[]) {
    super(
      'RUN_FOLDER_EXISTS',
      `${dir} already holds a training run (${found.join(', ')}); pass --resume to continue it, --overwrite to delete its checkpoints, final/ and metrics and start again, or choose another --out folder`,
    );
  }
}
