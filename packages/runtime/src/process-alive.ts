/**
 * Whether a process with this PID exists on this machine (signal 0 probes without signalling; EPERM
 * means it exists under another user). For lock files and temp folders named after their writer.
 */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
