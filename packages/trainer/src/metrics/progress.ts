import cliProgress from 'cli-progress';

export interface ProgressLine {
  step: number;
  total: number;
  loss: number;
  imagesPerSec: number;
}

/** Formats seconds as 1h02m, 3m05s or 12s. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = s % 60;
  if (h) return `${h}h${String(m).padStart(2, '0')}m`;
  if (m) return `${m}m${String(r).padStart(2, '0')}s`;
  return `${r}s`;
}

/**
 * Progress for a long job: a live bar with rate and ETA on a terminal, or one line every
 * `every` steps when stderr is not a TTY (CI, logs).
 */
export class Progress {
  private bar: cliProgress.SingleBar | null = null;
  private readonly started = Date.now();

  constructor(
    readonly label: string,
    readonly total: number,
    private readonly startAt = 0,
    private readonly every = 10,
    private readonly enabled = true,
  ) {
    if (enabled && process.stderr.isTTY) {
      this.bar = new cliProgress.SingleBar(
        { format: `${label} {bar} {value}/{total} | loss {loss} | {ips} img/s | {rate} step/s | ETA {eta_formatted}`, hideCursor: true, etaBuffer: 20, stream: process.stderr },
        cliProgress.Presets.shades_classic,
      );
      this.bar.start(total, startAt, { loss: '-', ips: '-', rate: '-' });
    }
  }

  update(p: ProgressLine): void {
    if (!this.enabled) return;
    const elapsed = (Date.now() - this.started) / 1000;
    const done = p.step - this.startAt;
    const rate = done / Math.max(elapsed, 1e-9);
    const eta = (p.total - p.step) / Math.max(rate, 1e-9);
    if (this.bar) {
      this.bar.update(p.step, { loss: p.loss.toFixed(4), ips: p.imagesPerSec.toFixed(1), rate: rate.toFixed(2) });
    } else if (p.step % this.every === 0 || p.step === p.total) {
      process.stderr.write(
        `${this.label} step ${p.step}/${p.total} loss ${p.loss.toFixed(4)} ${p.imagesPerSec.toFixed(1)} img/s ${rate.toFixed(2)} step/s ETA ${formatDuration(eta)}\n`,
      );
    }
  }

  stop(): void {
    this.bar?.stop();
  }
}
