import { LossError } from '../errors';
import { expectInt, expectPositive } from '../util/check';

export interface TeacherTemperatureSchedule {
  /** Temperature at step 0 (default 0.04, DINO/DINOv2 `warmup_teacher_temp`). */
  start?: number;
  /** Temperature after warm-up (default 0.07, DINOv2 `teacher_temp`). */
  final?: number;
  /** Number of warm-up steps (DINOv2: `warmup_teacher_temp_epochs` × iterations per epoch, 30 epochs). */
  warmupSteps: number;
}

/**
 * The DINO teacher-temperature schedule: linear warm-up from `start` to `final` over `warmupSteps`
 * steps, then constant — exactly `np.linspace(start, final, warmupSteps)` for the first steps as in
 * DINO's `teacher_temp_schedule` and DINOv2's `CosineScheduler` warm-up (so step warmupSteps−1 is
 * already `final`). `step` counts from 0.
 */
export function teacherTemperature(step: number, schedule: TeacherTemperatureSchedule): number {
  const start = schedule.start ?? 0.04;
  const final = schedule.final ?? 0.07;
  expectPositive(start, 'teacherTemperature start');
  expectPositive(final, 'teacherTemperature final');
  expectInt(schedule.warmupSteps, 0, 'teacherTemperature warmupSteps');
  if (!(Number.isInteger(step) && step >= 0)) throw new LossError('value', `teacherTemperature step must be an integer ≥ 0, got ${step}`);
  const n = schedule.warmupSteps;
  if (step >= n) return final;
  if (n === 1) return start;
  return start + ((final - start) * step) / (n - 1);
}
