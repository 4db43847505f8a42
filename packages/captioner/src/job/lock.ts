import { hostname } from 'node:os';
import { open, readFile, rm } from 'node:fs/promises';
import { CaptionConfigError } from '../errors';
import { processAlive } from '@tips/runtime';

/**
 * An exclusive lock file beside an output (`<out>.lock`, holding pid and host), so that two jobs do
 * not append to one output. A lock left by a process that no longer runs on this host (killed job)
 * is taken over.
 */
export async function acquireLock(path: string): Promise<() => Promise<void>> {
  const me = JSON.stringify({ pid: process.pid, host: hostname() });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fh = await open(path, 'wx');
      await fh.writeFile(me);
      await fh.close();
      return async () => {
        await rm(path, { force: true });
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      let holder: { pid?: number; host?: string } = {};
      try {
        holder = JSON.parse(await readFile(path, 'utf8')) as typeof holder;
      } catch {
        /* unreadable lock: treat as stale */
      }
      if (holder.host === hostname() && typeof holder.pid === 'number' && holder.pid !== process.pid && processAlive(holder.pid)) {
        throw new CaptionConfigError(
          `Another caption job (pid ${holder.pid}) is writing this output (lock ${path}). Wait for it, or give each job its own --out (e.g. one per --shard).`,
        );
      }
      if (holder.host && holder.host !== hostname()) {
        throw new CaptionConfigError(
          `The output is locked by a job on host ${holder.host} (${path}). If that job is gone, delete the lock file; otherwise give each machine its own --out.`,
        );
      }
      await rm(path, { force: true });
    }
  }
  throw new CaptionConfigError(`Could not take the lock ${path}; delete it if no job is running.`);
}
