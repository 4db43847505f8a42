import { mkdtempSync, readFileSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SafetensorsReader, writeSafetensors, encodeSafetensors } from './safetensors';
import { openTensorFile } from './open-tensor-file';

const SPEC_HEADER = '{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"i":{"dtype":"I64","shape":[1],"data_offsets":[8,16]},"__metadata__":{"format":"pt"}}';

/** Builds a safetensors file by hand, byte by byte, from the format's specification. */
function handMade(header = SPEC_HEADER): Uint8Array {
  const out = new Uint8Array(8 + header.length + 16);
  const v = new DataView(out.buffer);
  v.setUint32(0, header.length, true);
  for (let k = 0; k < header.length; k++) out[8 + k] = header.charCodeAt(k);
  v.setFloat32(8 + header.length, 0.5, true);
  v.setFloat32(12 + header.length, -4, true);
  v.setBigInt64(16 + header.length, 42n, true);
  return out;
}

describe('safetensors', () => {
  it('reads a file laid out by the specification', async () => {
    const r = await SafetensorsReader.open(handMade(), 'hand');
    expect(r.keys().sort()).toEqual(['i', 'w']);
    expect(r.metadata()).toEqual({ format: 'pt' });
    expect(Array.from((await r.read('w')).data as Float32Array)).toEqual([0.5, -4]);
    expect(Array.from((await r.read('i')).data as BigInt64Array)).toEqual([42n]);
  });

  it('writes 8-byte aligned headers that read back, atomically', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'st-'));
    const p = join(dir, 'm.safetensors');
    let produced = 0;
    await writeSafetensors(
      p,
      [
        { name: 'a', dtype: 'float32', shape: [3], data: new Float32Array([1, 2, 3]) },
        { name: 'b', dtype: 'float16', shape: [1], data: () => (produced++, new Uint16Array([0x3c00])) },
      ],
      { config: '{"x":1}' },
    );
    expect(produced).toBe(1);
    const bytes = readFileSync(p);
    const n = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
    expect((8 + n) % 8).toBe(0);
    expect(readdirSync(dir)).toEqual(['m.safetensors']);
    const r = await openTensorFile(p);
    expect(r.format).toBe('safetensors');
    expect(Array.from((await r.read('a')).data as Float32Array)).toEqual([1, 2, 3]);
    expect(r.metadata()).toEqual({ config: '{"x":1}' });
    await r.close();
    const mem = await encodeSafetensors([{ name: 'a', dtype: 'float32', shape: [1], data: new Float32Array([9]) }]);
    expect(Array.from((await (await SafetensorsReader.open(mem)).read('a')).data as Float32Array)).toEqual([9]);
  });

  it('refuses a corrupt header and inconsistent offsets', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'st-'));
    const bad = handMade();
    bad[8] = 0x78; // 'x' where the JSON's opening brace was
    await expect(SafetensorsReader.open(bad)).rejects.toThrow(/not valid JSON|corrupt/);
    const truncated = handMade().subarray(0, handMade().length - 4);
    await expect(SafetensorsReader.open(truncated)).rejects.toThrow(/truncated or corrupt/);
    const p = join(dir, 'x.safetensors');
    writeFileSync(p, new Uint8Array([1, 2, 3]));
    await expect(openTensorFile(p)).rejects.toThrow(/empty or truncated/);
  });

  it('refuses a header that is a JSON array, or an entry without dtype/shape/offsets, by name (issue 18, item 14)', async () => {
    await expect(SafetensorsReader.open(handMade('[{"dtype":"F32","shape":[2],"data_offsets":[0,8]}]'), 'arr.safetensors')).rejects.toThrow(
      /arr\.safetensors: safetensors header is a JSON array, not an object of tensor entries/,
    );
    await expect(SafetensorsReader.open(handMade('"F32"'), 's.safetensors')).rejects.toThrow(/header is a JSON string/);
    await expect(SafetensorsReader.open(handMade('{"w":[1,2]}'), 'e.safetensors')).rejects.toThrow(/header entry 'w' is not \{ dtype, shape, data_offsets \}/);
    await expect(SafetensorsReader.open(handMade('{"w":{"dtype":"F32","shape":[2]}}'), 'e.safetensors')).rejects.toThrow(/header entry 'w'/);
    const msg = await SafetensorsReader.open(handMade('[1]')).catch((e: Error) => e.message);
    expect(msg).not.toMatch(/undefined/);
  });
});
