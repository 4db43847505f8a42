import { antialiasBilinearMatrix } from '@tips/runtime/core';
import { ExportError } from '../errors';
import type { Tensor32 } from './weights';

/**
 * The patch position embeddings for an h×w patch grid, computed at export time from the stored
 * [1, G²+1, D] table exactly as the official `interpolate_pos_encoding` does with
 * interpolate_antialias=True and interpolate_offset=0: the G×G grid resized to (h, w) by
 * torch.nn.functional.interpolate(mode='bilinear', antialias=True, align_corners=False), and the
 * table used unchanged when the grid already matches and the input is square. The per-axis weights
 * are @tips/runtime's `antialiasBilinearMatrix` (ATen's separable anti-aliased kernel); the two
 * passes run in float64 and round once. Returns [h·w, D] row-major.
 */
export function resizedPatchPositions(posEmbed: Tensor32, h: number, w: number): Float32Array {
  const [, slots, D] = posEmbed.shape as [number, number, number];
  const n = slots - 1;
  const G = Math.round(Math.sqrt(n));
  if (G * G !== n) throw new ExportError(`pos_embed holds ${n} patch slots, not a square grid; is this an official TIPS image tower?`);
  const grid = posEmbed.data.subarray(D, D + n * D);
  if (h === G && w === G) return Float32Array.from(grid);
  const wy = antialiasBilinearMatrix(G, h);
  const wx = antialiasBilinearMatrix(G, w);
  // Pass 1: along columns, [G, G, D] → [G, w, D].
  const tmp = new Float64Array(G * w * D);
  for (let r = 0; r < G; r++) {
    for (let ox = 0; ox < w; ox++) {
      const o = (r * w + ox) * D;
      for (let ix = 0; ix < G; ix++) {
        const a = wx[ox * G + ix]!;
        if (a === 0) continue;
        const s = (r * G + ix) * D;
        for (let d = 0; d < D; d++) tmp[o + d] += a * grid[s + d]!;
      }
    }
  }
  // Pass 2: along rows, [G, w, D] → [h, w, D].
  const out = new Float64Array(h * w * D);
  for (let oy = 0; oy < h; oy++) {
    for (let iy = 0; iy < G; iy++) {
      const a = wy[oy * G + iy]!;
      if (a === 0) continue;
      for (let i = 0; i < w * D; i++) out[oy * w * D + i] += a * tmp[iy * w * D + i]!;
    }
  }
  return Float32Array.from(out);
}
