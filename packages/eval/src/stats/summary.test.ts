import { compareSummaries, formatSummary, summarize } from './summary';

describe('summarize', () => {
  it('matches hand-computed mean, sample std and standard error', () => {
    // values 2, 4, 4, 4, 5, 5, 7, 9: mean 5, sum of squares 32, sample variance 32/7.
    const s = summarize([2, 4, 4, 4, 5, 5, 7, 9]);
    expect(s.mean).toBe(5);
    expect(s.std).toBeCloseTo(Math.sqrt(32 / 7), 12);
    expect(s.se).toBeCloseTo(Math.sqrt(32 / 7) / Math.sqrt(8), 12);
    expect(s.n).toBe(8);
  });
  it('gives std 0 for one value and refuses empty or non-finite input', () => {
    expect(summarize([3])).toMatchObject({ mean: 3, std: 0, se: 0, n: 1 });
    expect(() => summarize([])).toThrow(/no values/);
    expect(() => summarize([1, NaN])).toThrow(/value 1 is NaN/);
  });
});

describe('compareSummaries', () => {
  it('computes the margin and the standard error of the difference by hand', () => {
    // model 10, 12, 14: mean 12, std 2, se 2/√3; baseline 5, 6, 7: mean 6, std 1, se 1/√3.
    const c = compareSummaries(summarize([10, 12, 14]), summarize([5, 6, 7]), 'higher');
    expect(c.margin).toBe(6);
    expect(c.se).toBeCloseTo(Math.sqrt(4 / 3 + 1 / 3), 12);
    expect(c.z).toBeCloseTo(6 / Math.sqrt(5 / 3), 12);
    expect(c.beats).toBe(true);
  });
  it('flips the sign for lower-is-better metrics and needs more than 2 standard errors', () => {
    // RMSE model 1.9, 2.0, 2.1 (se 0.1/√3·... ) vs baseline 2.0, 2.1, 2.2: margin 0.1, se √(2·0.01/3) ≈ 0.0816 → z ≈ 1.22.
    const c = compareSummaries(summarize([1.9, 2.0, 2.1]), summarize([2.0, 2.1, 2.2]), 'lower');
    expect(c.margin).toBeCloseTo(0.1, 12);
    expect(c.z).toBeCloseTo(0.1 / Math.sqrt(0.02 / 3), 9);
    expect(c.beats).toBe(false);
  });
  it('never lets a single seed beat (no error estimate)', () => {
    expect(compareSummaries(summarize([50]), summarize([10]), 'higher').beats).toBe(false);
  });
  it('formats mean ± std', () => {
    expect(formatSummary(summarize([10, 12, 14]))).toBe('12.0 ± 2.0');
  });
});
