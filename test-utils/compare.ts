/** Largest absolute difference between two arrays of the same length (throws when the lengths differ; NaN anywhere gives Infinity). */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`maxAbsDiff: lengths differ (${a.length} vs ${b.length})`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return Number.isNaN(m) ? Infinity : m;
}

/** maxAbsDiff(a, b) relative to the largest |b| (the reference), or absolute when b is all zeros; NaN anywhere gives Infinity. */
export function maxRelDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const d = maxAbsDiff(a, b);
  let s = 0;
  for (let i = 0; i < b.length; i++) s = Math.max(s, Math.abs(b[i]!));
  return Number.isNaN(s) ? Infinity : s === 0 ? d : d / s;
}
