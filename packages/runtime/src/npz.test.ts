import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NpzReader, readNpz, writeNpz, encodeNpz } from './npz';
import { toFloat32, halfToFloat, floatToHalf } from './dtype';
import { TensorFileError } from './errors';
import { openTensorFile } from './open-tensor-file';

const DATA = join(__dirname, '..', 'test-data');

describe.each(['numpy_savez.npz', 'numpy_savez_compressed.npz'])('reading %s written by numpy', (file) => {
  it('reads every dtype and shape exactly', async () => {
    const t = await readNpz(join(DATA, file));
    expect(Object.keys(t).sort()).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g']);
    expect(t.a!.shape).toEqual([3, 4]);
    expect(Array.from(t.a!.data as Float32Array)).toEqual(Array.from({ length: 12 }, (_, i) => i / 8));
    expect(t.b!.dtype).toBe('float16');
    expect(Array.from(toFloat32(t.b!))).toEqual([1.5, -2, 65504, halfToFloat(floatToHalf(6e-8)), 0]);
    expect(t.c!.dtype).toBe('int64');
    expect(Array.from(t.c!.data as BigInt64Array)).toEqual([-1n, 2147483647n, 5n]);
    expect(t.d!.dtype).toBe('bool');
    expect(Array.from(t.d!.data as Uint8Array)).toEqual([1, 0, 1]);
    // big-endian source is byte-swapped on read
    expect(Array.from(t.e!.data as Float32Array)).toEqual([1, 2.5, -3]);
    expect(t.f!.shape).toEqual([]);
    expect(Array.from(t.f!.data as Float32Array)).toEqual([3.25]);
    expect(t.g!.shape).toEqual([1, 2, 3]);
    expect(Array.from(t.g!.data as Int32Array)).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('gives shapes without reading data and reads from bytes in memory', async () => {
    const r = await NpzReader.open(readFileSync(join(DATA, file)), file);
    expect(await r.info('a')).toEqual({ name: 'a', dtype: 'float32', shape: [3, 4] });
    expect(r.has('zz')).toBe(false);
    await expect(r.read('zz')).rejects.toThrow(/no array named 'zz'/);
    await r.close();
  });
});

describe('rejecting what cannot be read', () => {
  const dir = mkdtempSync(join(tmpdir(), 'npz-'));
  it('Fortran order', async () => {
    await expect(readNpz(join(DATA, 'fortran.npz'))).rejects.toThrow(/Fortran order/);
  });
  it('pickled objects', async () => {
    await expect(readNpz(join(DATA, 'pickle.npz'))).rejects.toThrow(/pickle/);
  });
  it('a file that is not a zip', async () => {
    const p = join(dir, 'not-a-zip.npz');
    writeFileSync(p, 'hello, this is text and not an archive at all');
    await expect(readNpz(p)).rejects.toThrow(TensorFileError);
    await expect(readNpz(p)).rejects.toThrow(/not a zip archive/);
  });
  it('a truncated file', async () => {
    const bytes = readFileSync(join(DATA, 'numpy_savez.npz'));
    const p = join(dir, 'truncated.npz');
    writeFileSync(p, bytes.subarray(0, bytes.length - 100));
    await expect(readNpz(p)).rejects.toThrow(TensorFileError);
  });
  it('a file cut inside the data', async () => {
    const bytes = readFileSync(join(DATA, 'numpy_savez.npz'));
    const p = join(dir, 'cut.npz');
    writeFileSync(p, bytes.subarray(0, 200));
    await expect(readNpz(p)).rejects.toThrow(/truncated|not a zip/);
  });
  it('a missing file', async () => {
    await expect(readNpz(join(dir, 'nope.npz'))).rejects.toThrow(/no such file/);
  });
});

describe('writing', () => {
  it('round-trips through our writer and sniffs the format', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'npz-'));
    const p = join(dir, 'w.npz');
    const a = { dtype: 'float32' as const, shape: [2, 2], data: new Float32Array([1, 2, 3, 4]) };
    const c = { dtype: 'int64' as const, shape: [2], data: new BigInt64Array([7n, -9n]) };
    await writeNpz(p, { a, c });
    const r = await openTensorFile(p);
    expect(r.format).toBe('npz');
    expect((await r.read('a')).data).toEqual(a.data);
    expect((await r.read('c')).data).toEqual(c.data);
    await r.close();
    expect(encodeNpz({ a }).length).toBeGreaterThan(16);
  });
});
