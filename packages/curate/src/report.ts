import sharp from 'sharp';
import { mkdir, rename } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { Histogram } from './similarity';

/** Plot geometry: each bin is `binWidth` px wide; the tallest bar is `height` px. */
export interface HistogramPlot {
  binWidth?: number;
  height?: number;
}

/**
 * Raw RGB pixels of a bar chart of `h`: white background, dark-blue bars, bar height
 * round(count / max · height) px from the bottom (no axes: the report's JSON has the numbers).
 */
export function histogramPixels(h: Histogram, o: HistogramPlot = {}): { data: Uint8Array; width: number; height: number } {
  const bw = o.binWidth ?? 8;
  const height = o.height ?? 120;
  const width = h.counts.length * bw;
  const data = new Uint8Array(width * height * 3).fill(255);
  const max = Math.max(1, ...h.counts);
  h.counts.forEach((c, b) => {
    const bar = Math.round((c / max) * height);
    for (let y = height - bar; y < height; y++) {
      for (let x = b * bw; x < (b + 1) * bw - 1; x++) data.set([31, 60, 140], (y * width + x) * 3);
    }
  });
  return { data, width, height };
}

/** Writes the histogram as a PNG (temp file, then rename). */
export async function writeHistogramPng(path: string, h: Histogram, o: HistogramPlot = {}): Promise<string> {
  const dest = resolve(path);
  await mkdir(dirname(dest), { recursive: true });
  const { data, width, height } = histogramPixels(h, o);
  const tmp = `${dest}.tmp-${process.pid}-${Date.now()}.png`;
  await sharp(Buffer.from(data), { raw: { width, height, channels: 3 } }).png().toFile(tmp);
  await rename(tmp, dest);
  return dest;
}
