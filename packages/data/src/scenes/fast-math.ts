// Integer helpers for the rasteriser's inner loops. Plain operators instead of Math.* calls: same
// results, and Math.* looked up on the global object is ~100× slower inside jest's vm context.

/** floor(v) for |v| < 2^31. */
export function ifloor(v: number): number {
  const i = v | 0;
  return i > v ? i - 1 : i;
}

/** |v| */
export function fabs(v: number): number {
  return v < 0 ? -v : v;
}

/** round-half-up for v ≥ 0 (what Math.round does there). */
export function roundPos(v: number): number {
  return (v + 0.5) | 0;
}
