import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ResumeError, RunFolderExistsError, TrainConfigError } from '../errors';
import { findResumeCheckpoint, removeStrayTempDirs, setAsideDamagedCheckpoints } from '../checkpoint/train-checkpoint';
import { readRunJson } from '../checkpoint/read-json';

/** What a run folder holds (see the trainer README, "Run folder"). */
export const RUN_FOLDER_ENTRIES = ['config.json', 'checkpoints', 'best', 'final', 'metrics.jsonl', 'report', 'report.md'] as const;

/**
 * Two TIPS configs are the same run when they are equal apart from `run.out`: a run folder may be
 * moved or copied and resumed where it now is.
 */
export function sameRunConfig(a: unknown, b: unknown): boolean {
  const strip = (c: unknown): unknown => {
    if (!c || typeof c !== 'object') return c;
    const run = (c as { run?: unknown }).run;
    if (!run || typeof run !== 'object') return c;
    const { out: _out, ...rest } = run as Record<string, unknown>;
    return { ...(c as Record<string, unknown>), run: rest };
  };
  return JSON.stringify(strip(a)) === JSON.stringify(strip(b));
}

/** The entries that show `dir` already holds a run (config.json, a non-empty checkpoints/, final/, metrics.jsonl). */
export function existingRunEntries(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const found: string[] = [];
  if (existsSync(join(dir, 'config.json'))) found.push('config.json');
  const ck = join(dir, 'checkpoints');
  if (existsSync(ck) && readdirSync(ck).length > 0) found.push('checkpoints/');
  if (existsSync(join(dir, 'final'))) found.push('final/');
  if (existsSync(join(dir, 'metrics.jsonl'))) found.push('metrics.jsonl');
  return found;
}

export interface PrepareRunFolderOptions {
  resume?: boolean;
  /** Delete the old run's checkpoints, best/, final/, report and metrics first. */
  overwrite?: boolean;
  log?: (line: string) => void;
}

/**
 * Checks a run folder before anything in it is written, then writes config.json:
 * - a folder that already holds a run is refused (RunFolderExistsError) unless `resume` or
 *   `overwrite` is given; `overwrite` deletes the old run's entries first;
 * - `resume` finds the newest intact checkpoint (findResumeCheckpoint: `latest`, else a scan,
 *   with checksums, falling back and saying so) and refuses a different configuration — all
 *   before config.json is rewritten, so a refused resume leaves the folder as it was;
 * - stray `.step-….tmp-PID` folders of killed writes are removed (all of them on a fresh start).
 * Returns the checkpoint to resume from, or null to start at step 0.
 */
export async function prepareRunFolder(outDir: string, config: unknown, options: PrepareRunFolderOptions = {}): Promise<string | null> {
  const log = options.log ?? ((l: string) => process.stderr.write(`${l}\n`));
  if (options.resume && options.overwrite) throw new TrainConfigError('--resume and --overwrite contradict each other: --resume continues the run in the folder, --overwrite deletes it; give one');
  const ckDir = join(outDir, 'checkpoints');
  let resumeFrom: string | null = null;
  if (options.resume) {
    for (const p of removeStrayTempDirs(ckDir)) log(`removed ${p}, left by a checkpoint write that was killed`);
    const found = await findResumeCheckpoint(ckDir, log);
    resumeFrom = found.path;
    if (resumeFrom) {
      const state = readRunJson(join(resumeFrom, 'state.json'), 'the checkpoint\'s training state') as { config?: unknown };
      if (state.config !== undefined && state.config !== null && !sameRunConfig(state.config, config)) {
        throw new ResumeError(`${resumeFrom} was written by a run with another configuration; resume with the same config (tips resume ${outDir}), or start a new --out folder. Nothing in ${outDir} was changed`);
      }
      setAsideDamagedCheckpoints(ckDir, found, log);
    } else {
      const saved = join(outDir, 'config.json');
      if (existsSync(saved) && !sameRunConfig(readRunJson(saved, 'the run\'s configuration'), config)) {
        throw new ResumeError(`${saved} is another run's configuration and the folder has no checkpoint to resume; use the same config, or start a new --out folder. Nothing in ${outDir} was changed`);
      }
      log(`resume: ${ckDir} holds no checkpoint yet; starting from step 0`);
    }
  } else {
    const found = existingRunEntries(outDir);
    if (found.length && !options.overwrite) throw new RunFolderExistsError(outDir, found);
    if (options.overwrite) {
      const removed: string[] = [];
      for (const e of RUN_FOLDER_ENTRIES) {
        const p = join(outDir, e);
        if (existsSync(p)) {
          rmSync(p, { recursive: true, force: true });
          removed.push(e);
        }
      }
      if (removed.length) log(`--overwrite: deleted the old run's ${removed.join(', ')} in ${outDir}`);
    }
    removeStrayTempDirs(ckDir, { all: true });
  }
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, 'config.json'), JSON.stringify(config, null, 2));
  return resumeFrom;
}
