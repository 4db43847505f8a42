import { TooManySkippedError } from '../errors';

/** Counts decoded vs skipped (corrupt or missing) images and enforces the allowed skipped fraction. */
export class SkipTracker {
  private seenCount = 0;
  private skippedPaths: { path: string; reason: string }[] = [];

  /**
   * The rule, checked at every skipped image from the first batch on and again at `finish()`:
   * stop when more than `allowance` images were skipped AND more than `maxFraction` of the images
   * seen so far were skipped, i.e. skipped > max(allowance, maxFraction · seen).
   * @param maxFraction the fraction (default 0.01)
   * @param allowance skipped images always tolerated, so that one or two bad files among the first
   *   few do not stop a run (default 2; 0 applies the fraction from the very first image)
   */
  constructor(
    readonly maxFraction = 0.01,
    readonly allowance = 2,
    private readonly onSkip?: (path: string, reason: string) => void,
  ) {
    if (!(maxFraction >= 0 && maxFraction <= 1)) throw new RangeError(`maxSkippedFraction must be in [0, 1], got ${maxFraction}`);
    if (!(Number.isInteger(allowance) && allowance >= 0)) throw new RangeError(`skipAllowance must be an integer ≥ 0, got ${allowance}`);
  }

  ok(): void {
    this.seenCount++;
  }

  /** Records a skipped image; throws TooManySkippedError when the limit is passed. */
  skip(path: string, reason: string): void {
    this.seenCount++;
    this.skippedPaths.push({ path, reason });
    this.onSkip?.(path, reason);
    this.check();
  }

  /** Final check (end of an epoch or of the data). */
  finish(): void {
    if (this.seenCount > 0) this.check();
  }

  private check(): void {
    const n = this.skippedPaths.length;
    if (n > this.allowance && n > this.maxFraction * this.seenCount) {
      throw new TooManySkippedError(n, this.seenCount, this.maxFraction, this.skippedPaths.map((s) => s.path), this.allowance);
    }
  }

  /** Counts for a run's summary and its metrics log. */
  summary(): { seen: number; skipped: number; fraction: number; paths: string[] } {
    const n = this.skippedPaths.length;
    return { seen: this.seenCount, skipped: n, fraction: this.seenCount ? n / this.seenCount : 0, paths: this.skippedPaths.map((s) => s.path) };
  }

  get seen(): number {
    return this.seenCount;
  }

  /** Every skipped image with the reason, in the order met. */
  get skipped(): readonly { path: string; reason: string }[] {
    return this.skippedPaths;
  }
}
