/** Distinct colours for class ids (tab20-like order); the ignore index is drawn black. */
const PALETTE: readonly [number, number, number][] = [
  [31, 119, 180], [255, 127, 14], [44, 160, 44], [214, 39, 40], [148, 103, 189], [140, 86, 75], [227, 119, 194], [127, 127, 127],
  [188, 189, 34], [23, 190, 207], [174, 199, 232], [255, 187, 120], [152, 223, 138], [255, 152, 150], [197, 176, 213], [196, 156, 148],
  [247, 182, 210], [199, 199, 199], [219, 219, 141], [158, 218, 229],
];

export function classColour(id: number, ignoreIndex = 255): [number, number, number] {
  if (id === ignoreIndex) return [0, 0, 0];
  const base = PALETTE[id % PALETTE.length]!;
  // Beyond the palette, darken by cycle so that ids stay distinguishable.
  const f = 1 - 0.25 * (Math.floor(id / PALETTE.length) % 3);
  return [Math.round(base[0] * f), Math.round(base[1] * f), Math.round(base[2] * f)];
}

/** Class map [H·W] → RGB [H·W·3]. */
export function colouriseClasses(labels: ArrayLike<number>, ignoreIndex = 255): Uint8Array {
  const out = new Uint8Array(labels.length * 3);
  for (let i = 0; i < labels.length; i++) out.set(classColour(labels[i]!, ignoreIndex), i * 3);
  return out;
}

/** Matplotlib's viridis at nine evenly spaced stops. */
const VIRIDIS: readonly [number, number, number][] = [
  [68, 1, 84], [71, 44, 122], [59, 81, 139], [44, 113, 142], [33, 144, 141], [39, 173, 129], [92, 200, 99], [170, 220, 50], [253, 231, 37],
];

export function viridis(t: number): [number, number, number] {
  const x = Math.min(1, Math.max(0, t)) * (VIRIDIS.length - 1);
  const i = Math.min(VIRIDIS.length - 2, Math.floor(x));
  const f = x - i;
  const a = VIRIDIS[i]!;
  const b = VIRIDIS[i + 1]!;
  return [Math.round(a[0] + f * (b[0] - a[0])), Math.round(a[1] + f * (b[1] - a[1])), Math.round(a[2] + f * (b[2] - a[2]))];
}

/** Depth map → RGB with viridis over [lo, hi] (near = bright); depth ≤ 0 (unknown) is black. */
export function colouriseDepth(depth: ArrayLike<number>, lo: number, hi: number): Uint8Array {
  const out = new Uint8Array(depth.length * 3);
  const span = hi > lo ? hi - lo : 1;
  for (let i = 0; i < depth.length; i++) {
    const d = depth[i]!;
    if (!(d > 0)) continue;
    out.set(viridis(1 - (d - lo) / span), i * 3);
  }
  return out;
}
