import * as tf from '@tensorflow/tfjs-core';
import { antialiasBilinearMatrix, dense } from '@tips/runtime';

/**
 * The position-grid resize of the official code, `interpolate(mode='bilinear', antialias=True,
 * size=(h, w))` (interpolate_offset=0), as one matrix: the Kronecker product of the row and column
 * filter taps, [outH·outW, G·G] acting on the row-major grid.
 */
export function gridResizeMatrix(grid: number, outH: number, outW: number): Float32Array {
  const wy = antialiasBilinearMatrix(grid, outH);
  const wx = antialiasBilinearMatrix(grid, outW);
  const m = new Float32Array(outH * outW * grid * grid);
  const cols = grid * grid;
  for (let oy = 0; oy < outH; oy++) {
    for (let ox = 0; ox < outW; ox++) {
      const r = (oy * outW + ox) * cols;
      for (let iy = 0; iy < grid; iy++) {
        const a = wy[oy * grid + iy]!;
        if (a === 0) continue;
        for (let ix = 0; ix < grid; ix++) {
          const b = wx[ox * grid + ix]!;
          if (b !== 0) m[r + iy * grid + ix] = a * b;
        }
      }
    }
  }
  return m;
}

const cache = new Map<string, tf.Tensor2D>();

function resizeMatrix(grid: number, outH: number, outW: number): tf.Tensor2D {
  const key = `${grid}:${outH}x${outW}`;
  let m = cache.get(key);
  if (!m || m.isDisposed) {
    m = tf.keep(tf.tensor2d(gridResizeMatrix(grid, outH, outW), [outH * outW, grid * grid]));
    cache.set(key, m);
  }
  return m;
}

/**
 * The position embeddings for an input of h×w patches: the stored [1, G²+1, D] table's CLS slot
 * followed by its G×G grid resized to h×w (bilinear, antialiased, no offset). As the official code,
 * the table is used unchanged when the grid already matches and the input is square. Differentiable
 * with respect to `posEmbed` (the resize is a matmul). The caller disposes the result.
 */
export function interpolatePosEmbed(posEmbed: tf.Tensor, h: number, w: number): tf.Tensor3D {
  const n = posEmbed.shape[1]! - 1;
  const D = posEmbed.shape[2]!;
  const G = Math.round(Math.sqrt(n));
  if (G * G !== n) throw new Error(`pos_embed holds ${n} patch slots, not a square grid`);
  if (n === h * w && h === w) return tf.clone(posEmbed) as tf.Tensor3D;
  return tf.tidy(() => {
    const cls = tf.slice(posEmbed, [0, 0, 0], [1, 1, D]);
    const grid = tf.reshape(tf.slice(posEmbed, [0, 1, 0], [1, n, D]), [n, D]);
    const resized = dense(resizeMatrix(G, h, w), grid as tf.Tensor2D);
    return tf.concat([cls, tf.reshape(resized, [1, h * w, D])], 1) as tf.Tensor3D;
  });
}
