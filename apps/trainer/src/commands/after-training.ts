import type { TipsConfig, TrainTipsResult } from '@tips/trainer';

/** What `tips train` does after the last step: evaluate the exported towers and write the report. */
export async function runAfterTraining(_config: TipsConfig, result: TrainTipsResult): Promise<void> {
  process.stderr.write(`tips train: trained towers in ${result.exported?.dir}; evaluation not wired yet\n`);
}
