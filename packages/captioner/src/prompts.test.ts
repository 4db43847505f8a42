import { parseGranularities, promptFor } from './prompts';
import { backoffDelayMs, isRetryableStatus, parseRetryAfterMs } from './backends/retry';

describe('prompts and granularities', () => {
  it('parses comma-separated granularities, deduplicated, and rejects unknown ones', () => {
    expect(parseGranularities('short, detailed,short')).toEqual(['short', 'detailed']);
    expect(() => parseGranularities('short,long')).toThrow(/Unknown caption granularity "long"/);
    expect(() => parseGranularities('')).toThrow(/No caption granularity/);
  });

  it("uses PaliGemma's task prefixes in paligemma style", () => {
    expect(promptFor('short', 'paligemma')).toBe('caption en\n');
    expect(promptFor('detailed', 'paligemma', 'de')).toBe('describe de\n');
    expect(promptFor('spatial')).toMatch(/left of, right of, above, below/);
  });
});

describe('retry policy', () => {
  it('retries 408, 429 and 5xx only', () => {
    expect([400, 401, 404, 408, 422, 429, 500, 503, 599].map(isRetryableStatus)).toEqual([false, false, false, true, false, true, true, true, true]);
  });

  it('parses Retry-After as seconds or as an HTTP date', () => {
    const now = Date.parse('Wed, 21 Oct 2026 07:28:00 GMT');
    expect(parseRetryAfterMs('3', now)).toBe(3000);
    expect(parseRetryAfterMs('Wed, 21 Oct 2026 07:28:05 GMT', now)).toBe(5000);
    expect(parseRetryAfterMs('Wed, 21 Oct 2026 07:27:00 GMT', now)).toBe(0);
    expect(parseRetryAfterMs('soon', now)).toBeUndefined();
    expect(parseRetryAfterMs(null, now)).toBeUndefined();
  });

  it('back-off doubles per retry, stays within [window/2, window] and is capped', () => {
    const p = { maxAttempts: 9, baseDelayMs: 100, maxDelayMs: 1000 };
    expect([1, 2, 3, 4, 5].map((k) => backoffDelayMs(k, p, () => 0))).toEqual([50, 100, 200, 400, 500]);
    expect([1, 2, 3, 4, 5].map((k) => backoffDelayMs(k, p, () => 1))).toEqual([100, 200, 400, 800, 1000]);
  });
});
