import { TooManySkippedError } from '../errors';
import { SkipTracker } from './skip-tracker';

/** Feeds a pattern ('o' decoded, 'x' skipped); returns the 1-based image at which it stopped, or null. */
function runPattern(t: SkipTracker, pattern: string): number | null {
  for (let i = 0; i < pattern.length; i++) {
    try {
      if (pattern[i] === 'x') t.skip(`img${i}.png`, 'missing');
      else t.ok();
    } catch (e) {
      expect(e).toBeInstanceOf(TooManySkippedError);
      return i + 1;
    }
  }
  try {
    t.finish();
  } catch (e) {
    expect(e).toBeInstanceOf(TooManySkippedError);
    return -1;
  }
  return null;
}

describe('SkipTracker: skipped > max(allowance, fraction · seen), from the first batch (issue 18, item 12)', () => {
  test('43 of 83 missing stops at the third skip, not after 100 images', () => {
    // every other image missing, as in the manifest (43 of 83)
    const pattern = Array.from({ length: 83 }, (_, i) => (i % 2 === 1 || i < 3 ? 'x' : 'o')).join('');
    const t = new SkipTracker(0.01, 2);
    expect(runPattern(t, pattern)).toBe(3); // x x x → 3 > max(2, 0.03)
    expect(t.summary()).toEqual({ seen: 3, skipped: 3, fraction: 1, paths: ['img0.png', 'img1.png', 'img2.png'] });
  });

  test('the allowance tolerates one or two bad files early; the fraction takes over at scale', () => {
    expect(runPattern(new SkipTracker(0.01, 2), 'xx' + 'o'.repeat(50))).toBeNull();
    expect(runPattern(new SkipTracker(0.01, 2), 'x'.repeat(3).padEnd(300, 'o') + 'x')).toBe(3);
    // 3 skipped in 300: 3 ≤ 0.01·300 = 3 → fine; a 4th at 301 is > 3.01 → stop at image 301
    expect(runPattern(new SkipTracker(0.01, 2), 'o'.repeat(297) + 'xxx')).toBeNull();
    expect(runPattern(new SkipTracker(0.01, 2), 'o'.repeat(297) + 'xxxx')).toBe(301);
  });

  test('allowance 0 applies the fraction from the first image; fraction 0 with allowance N allows exactly N', () => {
    expect(runPattern(new SkipTracker(0.5, 0), 'x')).toBe(1);
    expect(runPattern(new SkipTracker(0.5, 0), 'ox')).toBeNull(); // 1 > 0.5·2 is false
    expect(runPattern(new SkipTracker(0, 3), 'oxoxox')).toBeNull();
    expect(runPattern(new SkipTracker(0, 3), 'oxoxoxx')).toBe(7);
  });

  test('the error names the counts and the config keys that change the limit', () => {
    const t = new SkipTracker(0.1, 1);
    t.ok();
    t.skip('a.png', 'missing');
    expect(() => t.skip('b.png', 'corrupt')).toThrow(/2 of 3 images could not be decoded \(66\.7% > limit 10\.0%, and more than the 1 always tolerated\); first ones: a\.png, b\.png.*data\.maxSkippedFraction/);
  });

  test('bad limits are refused', () => {
    expect(() => new SkipTracker(1.5, 2)).toThrow(RangeError);
    expect(() => new SkipTracker(0.1, -1)).toThrow(RangeError);
  });
});
