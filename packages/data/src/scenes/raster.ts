import type { SceneSpec } from './scene-spec';
import { BACKGROUND_DEPTH } from './scene-spec';
import { SHAPE_TESTS } from './shapes';
import { roundPos } from './fast-math';
import { paintBackground } from './textures';
import { SHAPES } from './vocabulary';

/** The rendered layers of a scene (all row-major, width × height). */
export interface SceneRaster {
  /** RGB, 3 bytes per pixel. */
  rgb: Uint8Array;
  /** Class-mask id per pixel: 0 background, SHAPES[i] → i + 1. */
  classes: Uint8Array;
  /** Object index per pixel (index into spec.objects), -1 background. */
  instances: Int16Array;
  /** Depth in metres per pixel. */
  depth: Float32Array;
  /** Per object: pixels it covers when drawn (before nearer objects), and pixels still visible at the end. */
  footprint: Int32Array;
  visible: Int32Array;
  /** cover[a · n + b]: pixels of object a later covered by object b (b nearer). */
  cover: Int32Array;
}

// 2×2 super-sampling offsets (pixel centres at +0.5).
const SUB = [0.25, 0.75];

/**
 * Draws the scene with the painter's algorithm (farthest object first), 2×2 super-sampled edges for
 * the RGB image; the class mask, instance map and depth take a pixel when at least half its
 * sub-samples are inside. Objects get a soft light from the upper left.
 */
export function rasterise(spec: SceneSpec, grainSeed: number): SceneRaster {
  const { width: W, height: H, objects } = spec;
  const n = objects.length;
  const rgb = new Uint8Array(W * H * 3);
  const classes = new Uint8Array(W * H);
  const instances = new Int16Array(W * H).fill(-1);
  const depth = new Float32Array(W * H);
  const footprint = new Int32Array(n);
  const visible = new Int32Array(n);
  const cover = new Int32Array(n * n);
  paintBackground(rgb, spec, grainSeed);
  for (let y = 0; y < H; y++) {
    const d = BACKGROUND_DEPTH[0] + ((BACKGROUND_DEPTH[1] - BACKGROUND_DEPTH[0]) * (y + 0.5)) / H;
    depth.fill(d, y * W, (y + 1) * W);
  }
  const order = objects.map((_, i) => i).sort((a, b) => objects[b]!.depth - objects[a]!.depth || a - b);
  for (const k of order) {
    const o = objects[k]!;
    const inside = SHAPE_TESTS[o.shape];
    const cls = SHAPES.indexOf(o.shape) + 1;
    const cos = Math.cos(o.rotation);
    const sin = Math.sin(o.rotation);
    const inv = 1 / o.radius;
    const x0 = Math.max(0, Math.floor(o.cx - o.radius - 1));
    const x1 = Math.min(W - 1, Math.ceil(o.cx + o.radius + 1));
    const y0 = Math.max(0, Math.floor(o.cy - o.radius - 1));
    const y1 = Math.min(H - 1, Math.ceil(o.cy + o.radius + 1));
    // Every shape fits in the unit disc: skip pixels whose centre is farther than 1 + ½√2 pixel.
    const reach = (1 + 0.75 * inv) ** 2;
    for (let y = y0; y <= y1; y++) {
      for (let x = x0; x <= x1; x++) {
        const cdx = (x + 0.5 - o.cx) * inv;
        const cdy = (y + 0.5 - o.cy) * inv;
        if (cdx * cdx + cdy * cdy > reach) continue;
        let hits = 0;
        let su = 0;
        let sv = 0;
        for (let s = 0; s < 4; s++) {
          const dx = (x + SUB[s & 1]! - o.cx) * inv;
          const dy = (y + SUB[s >> 1]! - o.cy) * inv;
          const u = cos * dx + sin * dy;
          const v = -sin * dx + cos * dy;
          if (inside(u, v)) {
            hits++;
            su += u;
            sv += v;
          }
        }
        if (hits === 0) continue;
        const p = y * W + x;
        const a = hits / 4;
        const light = 1 + 0.14 * (-(su / hits) * 0.4 - (sv / hits) * 0.6);
        for (let c = 0; c < 3; c++) {
          const v = o.rgb[c]! * light;
          const src = v > 255 ? 255 : v;
          rgb[p * 3 + c] = roundPos(rgb[p * 3 + c]! * (1 - a) + src * a);
        }
        if (hits >= 2) {
          const below = instances[p]!;
          if (below >= 0) cover[below * n + k]!++;
          footprint[k]!++;
          classes[p] = cls;
          instances[p] = k;
          depth[p] = o.depth;
        }
      }
    }
  }
  for (let p = 0; p < W * H; p++) if (instances[p]! >= 0) visible[instances[p]!]!++;
  return { rgb, classes, instances, depth, footprint, visible, cover };
}
