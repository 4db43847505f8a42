import { TooManySkippedError } from '../errors';

/** Counts decoded vs skipped (corrupt or missing) images and enforces the allowed skipped fraction. */
export class SkipTracker {
  private seenCount = 0;
  private skippedPaths: { path: string; reason: string }[] = [];

  /**
   * @param maxFraction fail when skipped/seen exceeds this (default 0.01)
   * @param minSeen only check once this many images were seen (default 100), so that one bad file
   *   among the first few does not stop a run; `finish()` checks at any count.
   */
  constructor(
    readonly maxFraction = 0.01,
    readonly minSeen = 100,
    private readonly onSkip?: (path: string, reason: string) => void,
  ) {}

  ok(): void {
    this.seenCount++;
  }

  /** Records a skipped image; throws TooManySkippedError when the limit is passed. */
  skip(path: string, reason: string): void {
    this.seenCount++;
    this.skippedPaths.push({ path, reason });
    this.onSkip?.(path, reason);
    if (this.seenCount >= this.minSeen) this.check();
  }

  /** Final check (end of an epoch or of the data). */
  finish(): void {
    if (this.seenCount > 0) this.check();
  }

  private check(): void {
    if (this.skippedPaths.length / this.seenCount > this.maxFraction) {
      throw new TooManySkippedError(this.skippedPaths.length, this.seenCount, this.maxFraction, this.skippedPaths.map((s) => s.path));
    }
  }

  get seen(): number {
    return this.seenCount;
  }

  /** Every skipped image with the reason, in the order met. */
  get skipped(): readonly { path: string; reason: string }[] {
    return this.skippedPaths;
  }
}
