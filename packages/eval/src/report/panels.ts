import sharp from 'sharp';
import { EvalInputError } from '../errors';

/** An 8-bit RGB picture. */
export interface Panel {
  rgb: Uint8Array;
  width: number;
  height: number;
}

/** Nearest-neighbour enlargement of an RGB map (e.g. a patch grid to the image size). */
export function enlargeNearest(rgb: Uint8Array, w: number, h: number, W: number, H: number): Panel {
  const out = new Uint8Array(W * H * 3);
  for (let y = 0; y < H; y++) {
    const sy = Math.min(h - 1, Math.floor((y * h) / H));
    for (let x = 0; x < W; x++) {
      const s = (sy * w + Math.min(w - 1, Math.floor((x * w) / W))) * 3;
      out[(y * W + x) * 3] = rgb[s]!;
      out[(y * W + x) * 3 + 1] = rgb[s + 1]!;
      out[(y * W + x) * 3 + 2] = rgb[s + 2]!;
    }
  }
  return { rgb: out, width: W, height: H };
}

function escapeXml(s: string): string {
  return s.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c]!);
}

/**
 * A PNG grid of equally sized panels (rows × columns) with a title row of column names, drawn
 * with sharp (column names as an SVG overlay rendered by librsvg).
 */
export async function panelGrid(rows: readonly (readonly Panel[])[], columnTitles: readonly string[], gap = 4): Promise<Buffer> {
  if (rows.length === 0 || rows[0]!.length === 0) throw new EvalInputError('a figure needs at least one panel');
  const cols = rows[0]!.length;
  const pw = rows[0]![0]!.width;
  const ph = rows[0]![0]!.height;
  for (const r of rows) {
    if (r.length !== cols) throw new EvalInputError(`every figure row needs ${cols} panels`);
    for (const p of r) if (p.width !== pw || p.height !== ph || p.rgb.length !== pw * ph * 3) throw new EvalInputError(`figure panels must all be ${pw}×${ph} RGB`);
  }
  const header = 24;
  const W = cols * pw + (cols + 1) * gap;
  const H = header + rows.length * ph + (rows.length + 1) * gap;
  const canvas = new Uint8Array(W * H * 3).fill(255);
  rows.forEach((r, ri) => {
    r.forEach((p, ci) => {
      const x0 = gap + ci * (pw + gap);
      const y0 = header + gap + ri * (ph + gap);
      for (let y = 0; y < ph; y++) canvas.set(p.rgb.subarray(y * pw * 3, (y + 1) * pw * 3), ((y0 + y) * W + x0) * 3);
    });
  });
  const titles = columnTitles
    .map((t, ci) => `<text x="${gap + ci * (pw + gap) + pw / 2}" y="17" text-anchor="middle" font-family="DejaVu Sans, sans-serif" font-size="13">${escapeXml(t)}</text>`)
    .join('');
  const svg = Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${header}">${titles}</svg>`);
  return sharp(canvas, { raw: { width: W, height: H, channels: 3 } })
    .composite([{ input: svg, top: 0, left: 0 }])
    .png()
    .toBuffer();
}
