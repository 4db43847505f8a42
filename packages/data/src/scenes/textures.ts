import { ifloor } from './fast-math';
import type { SceneSpec } from './scene-spec';

const { imul } = Math;

/** A fast deterministic hash of (x, y, seed) to [0, 1). */
function hash01(x: number, y: number, seed: number): number {
  let h = imul(x, 0x27d4eb2d) ^ imul(y, 0x165667b1) ^ seed;
  h = imul(h ^ (h >>> 15), 0x85ebca6b);
  h = imul(h ^ (h >>> 13), 0xc2b2ae35);
  return ((h ^ (h >>> 16)) >>> 0) / 4294967296;
}

function clamp8(v: number): number {
  return v < 0 ? 0 : v > 255 ? 255 : v;
}

/** Fills `rgb` (W·H·3) with the scene's textured background. `seed` drives the grain. */
export function paintBackground(rgb: Uint8Array, spec: SceneSpec, seed: number): void {
  const { width: W, height: H } = spec;
  const { texture, rgb: base, period, angle } = spec.background;
  const ca = Math.cos(angle);
  const sa = Math.sin(angle);
  const p = Math.max(4, period);
  // factor(x, y) · base + grain(x, y), one loop per texture (a switch per pixel is slow).
  let factor: (x: number, y: number) => number;
  let grain = 0;
  switch (texture) {
    case 'stripes':
      factor = (x, y) => (ifloor((x * ca + y * sa) / p) & 1 ? 0.8 : 1);
      break;
    case 'checker':
      factor = (x, y) => ((ifloor(x / p) + ifloor(y / p)) & 1 ? 0.82 : 1);
      break;
    case 'dots': {
      const r2 = (p * p) / 16;
      factor = (x, y) => {
        const dx = (x % p) - p / 2;
        const dy = (y % p) - p / 2;
        return dx * dx + dy * dy <= r2 ? 0.72 : 1;
      };
      break;
    }
    case 'gradient': {
      const span = W * Math.abs(ca) + H * Math.abs(sa) + 1;
      factor = (x, y) => 0.72 + (0.5 * ((x * ca + y * sa) / span + 0.5)) * 0.56;
      break;
    }
    case 'noise':
      factor = () => 1;
      grain = 40;
      break;
    default:
      factor = () => 1;
      grain = 6;
  }
  const coarse = texture === 'noise' ? 1 : 0;
  const [b0, b1, b2] = base;
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const f = factor(x, y);
      const add = grain ? (hash01(x >> coarse, y >> coarse, seed) - 0.5) * grain : 0;
      const o = (y * W + x) * 3;
      rgb[o] = clamp8(b0 * f + add);
      rgb[o + 1] = clamp8(b1 * f + add);
      rgb[o + 2] = clamp8(b2 * f + add);
    }
  }
}
