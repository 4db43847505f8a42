import cliProgress from 'cli-progress';

/** Progress of a caption job, as reported after each batch. */
export interface ProgressState {
  /** Records handled this run (captioned or failed). */
  done: number;
  /** Records this run has to handle. */
  total: number;
  failed: number;
  /** Records per second this run. */
  rate: number;
  /** Seconds left at the current rate (NaN before the first batch). */
  etaSeconds: number;
}

export type ProgressReporter = {
  start(total: number): void;
  update(state: ProgressState): void;
  stop(): void;
};

/** A cli-progress bar on stderr: bar, count, rate, ETA and failures. */
export function progressBar(label = 'caption'): ProgressReporter {
  const bar = new cliProgress.SingleBar(
    {
      format: `${label} {bar} {percentage}% | {value}/{total} | {rate} rec/s | ETA {eta_formatted} | failed {failed}`,
      stream: process.stderr,
      hideCursor: false,
      etaBuffer: 50,
      fps: 5,
      noTTYOutput: !process.stderr.isTTY,
      notTTYSchedule: 10_000,
    },
    cliProgress.Presets.shades_classic,
  );
  return {
    start: (total) => bar.start(total, 0, { rate: '0.0', failed: 0 }),
    update: (s) => bar.update(s.done, { rate: s.rate.toFixed(1), failed: s.failed }),
    stop: () => bar.stop(),
  };
}

export function formatEta(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : m > 0 ? `${m}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}
