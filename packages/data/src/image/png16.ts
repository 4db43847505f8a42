import { deflateSync } from 'node:zlib';
import { crc32 } from '@tips/runtime';

function chunk(type: string, data: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'ascii');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])) >>> 0, 0);
  return Buffer.concat([head, data, crc]);
}

/**
 * Encodes a 16-bit greyscale PNG (colour type 0, bit depth 16, big-endian samples, filter 0): the
 * format of depth maps (NYUv2/KITTI style). Written directly because libvips' raw 16-bit → PNG path
 * rescales single-channel values.
 */
export function encodePng16(values: Uint16Array, width: number, height: number, level = 6): Uint8Array {
  if (values.length !== width * height) throw new RangeError(`encodePng16: ${values.length} values for ${width}×${height}`);
  const raw = Buffer.alloc(height * (1 + width * 2));
  let o = 0;
  for (let y = 0; y < height; y++) {
    raw[o++] = 0;
    for (let x = 0; x < width; x++, o += 2) raw.writeUInt16BE(values[y * width + x]!, o);
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 16; // bit depth
  ihdr[9] = 0; // greyscale
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level })),
    chunk('IEND', new Uint8Array(0)),
  ]);
}
