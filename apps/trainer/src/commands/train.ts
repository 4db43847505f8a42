import type { Command } from 'commander';
import { resolve } from 'node:path';
import { initBackend } from '@tips/runtime';
import { resolveTipsConfig, readRunConfig, validateTipsConfig, trainTips, TrainConfigError, type TipsConfig } from '@tips/trainer';
import { runAfterTraining } from './after-training';

interface TrainCliOptions {
  config?: string;
  preset?: string;
  data?: string;
  out?: string;
  steps?: string;
  set?: string[];
  eval?: boolean;
  resume?: boolean;
  overwrite?: boolean;
  progress?: boolean;
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

async function run(config: TipsConfig, opts: { resume: boolean; overwrite?: boolean; eval: boolean; progress: boolean }, backend?: string): Promise<void> {
  await initBackend({ backend });
  const r = await trainTips(config, { resume: opts.resume, overwrite: opts.overwrite, progress: opts.progress });
  const done = r.result.step >= config.optim.steps;
  process.stderr.write(`tips train: ${done ? 'finished' : 'stopped'} at step ${r.result.step}/${config.optim.steps} in ${r.seconds.toFixed(0)} s; run folder ${r.outDir}\n`);
  if (done && r.exported && opts.eval) await runAfterTraining(config, r);
}

export function registerTrain(program: Command): void {
  program
    .command('train')
    .description('Train TIPS (dual CLIP + distillation + MIM) — with no data given, on the built-in spatial scenes — then evaluate and write a report')
    .option('--preset <name>', 'tiny (this machine, minutes), S, B, g', 'tiny')
    .option('--config <file>', 'JSON or YAML config merged over the preset (unknown keys are errors)')
    .option('--data <manifest>', 'a JSONL manifest (image, web_caption, synthetic_caption); default: the built-in scenes')
    .option('--out <dir>', 'run folder (checkpoints, metrics.jsonl, final/, report/)')
    .option('--steps <n>', 'number of optimiser steps')
    .option('--set <key=value>', 'override any config key, e.g. --set optim.lr.peak=1e-3 (repeatable)', collect)
    .option('--no-eval', 'skip the evaluation and report after training')
    .option('--no-progress', 'no progress bar (log lines only)')
    .option('--resume', 'continue the run in <out> from its newest intact checkpoint (same config)')
    .option('--overwrite', 'start again in an <out> that holds a run: deletes its checkpoints, final/, report and metrics first')
    .action(async (opts: TrainCliOptions, cmd: Command) => {
      const overrides = [...(opts.set ?? [])];
      if (opts.data) overrides.push(`data.manifest=${JSON.stringify(resolve(opts.data))}`);
      if (opts.out) overrides.push(`run.out=${JSON.stringify(resolve(opts.out))}`);
      if (opts.steps) {
        if (!/^\d+$/.test(opts.steps)) throw new TrainConfigError(`--steps must be a positive integer, got '${opts.steps}'`);
        overrides.push(`optim.steps=${opts.steps}`);
      }
      const config = resolveTipsConfig({ preset: opts.preset, file: opts.config, overrides });
      await run(config, { resume: opts.resume ?? false, overwrite: opts.overwrite ?? false, eval: opts.eval !== false, progress: opts.progress !== false }, cmd.optsWithGlobals().tfBackend);
    });

  program
    .command('resume')
    .description('Continue an interrupted `tips train` run from its last checkpoint (same config, exact)')
    .argument('<dir>', 'the run folder')
    .option('--no-eval', 'skip the evaluation and report after training')
    .option('--no-progress', 'no progress bar')
    .action(async (dir: string, opts: { eval?: boolean; progress?: boolean }, cmd: Command) => {
      const runDir = resolve(dir);
      const saved = readRunConfig(runDir);
      if (!saved) throw new TrainConfigError(`${dir} has no config.json; it is not a tips train run folder`);
      const stored = validateTipsConfig(saved, `${dir}/config.json`);
      // The run is where DIR is now (it may have been moved or copied), not the run.out it was started with.
      const config: TipsConfig = { ...stored, run: { ...stored.run, out: runDir } };
      await run(config, { resume: true, eval: opts.eval !== false, progress: opts.progress !== false }, cmd.optsWithGlobals().tfBackend);
    });
}
