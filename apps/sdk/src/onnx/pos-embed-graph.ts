import { attr, type GraphBuilder } from './graph';
import type { Tensor32 } from './weights';

/**
 * Patch position embeddings resized inside the graph, for inputs of any size: the stored G×G grid
 * (as a [1, D, G, G] image) goes through ONNX Resize (opset 18: mode linear, antialias 1,
 * exclude_outside 1, half_pixel coordinates) to the patch grid of the input, read from the patch-embedding output
 * `conv` [B, D, h, w]; returns [1, h·w, D]. Anti-aliased linear resize with half-pixel centres is
 * the same filter as torch's interpolate(bilinear, antialias=True, align_corners=False), and a
 * same-size resize is the identity, which covers the official skip when the grid already matches.
 */
export function inGraphPatchPositions(g: GraphBuilder, posEmbed: Tensor32, conv: string): string {
  const [, slots, D] = posEmbed.shape as [number, number, number];
  const G = Math.round(Math.sqrt(slots - 1));
  const grid = posEmbed.data.subarray(D, D + G * G * D);
  // [G·G, D] → [1, D, G, G] once, at export.
  const nchw = new Float32Array(D * G * G);
  for (let p = 0; p < G * G; p++) for (let d = 0; d < D; d++) nchw[d * G * G + p] = grid[p * D + d]!;
  const image = g.weight('pos_embed_grid', nchw, [1, D, G, G]);
  const hw = g.op('Slice', [g.op('Shape', [conv]), g.ints('two', [2]), g.ints('four', [4])], {}, 'grid_hw');
  const sizes = g.op('Concat', [g.ints('one_d', [1, D]), hw], { axis: attr.i(0) }, 'pos_sizes');
  const resized = g.op('Resize', [image, '', '', sizes], {
    mode: attr.s('linear'),
    antialias: attr.i(1),
    // Taps outside the grid are dropped and the rest renormalised, as torch and Pillow do; with the
    // default (0) ONNX Runtime's anti-aliased down-sampling differs from torch by up to 0.3 here.
    exclude_outside: attr.i(1),
    coordinate_transformation_mode: attr.s('half_pixel'),
  }, 'pos_resized');
  const flat = g.op('Reshape', [resized, g.ints('shape_pos_flat', [1, D, -1])]);
  return g.op('Transpose', [flat], { perm: attr.ints([0, 2, 1]) }, 'pos_patches');
}
