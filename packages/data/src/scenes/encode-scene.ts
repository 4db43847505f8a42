import sharp from 'sharp';
import { encodePng16 } from '../image/png16';
import { roundPos } from './fast-math';
import type { SceneRaster } from './raster';

/** Depth PNGs store millimetres: metres = value · DEPTH_PNG_SCALE (readDepth's default). */
export const DEPTH_PNG_SCALE = 1 / 1000;

/** PNG bytes of a scene's image (RGB), class mask (8-bit grey, class ids) and depth (16-bit grey, mm). */
export async function encodeScenePngs(r: SceneRaster, width: number, height: number): Promise<{ image: Uint8Array; mask: Uint8Array; depth: Uint8Array }> {
  const mm = new Uint16Array(r.depth.length);
  for (let i = 0; i < mm.length; i++) {
    const v = roundPos(r.depth[i]! / DEPTH_PNG_SCALE);
    mm[i] = v > 65535 ? 65535 : v;
  }
  const [image, mask] = await Promise.all([
    sharp(r.rgb, { raw: { width, height, channels: 3 } }).png({ compressionLevel: 4 }).toBuffer(),
    sharp(r.classes, { raw: { width, height, channels: 1 } }).png({ compressionLevel: 4 }).toBuffer(),
  ]);
  return { image, mask, depth: encodePng16(mm, width, height, 4) };
}
