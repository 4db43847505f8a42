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
  it('catches bytes changed inside a stored member by its CRC-32 (numpy wrote the CRC)', async () => {
    const bytes = new Uint8Array(readFileSync(join(DATA, 'numpy_savez.npz')));
    const magic = Buffer.from(bytes).indexOf(Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59])); // first member's .npy
    const headerLen = bytes[magic + 8]! | (bytes[magic + 9]! << 8);
    const dataAt = magic + 10 + headerLen;
    const bad = bytes.slice();
    bad.fill(0, dataAt + 4, dataAt + 12); // zero 8 bytes of array data: sizes and headers stay valid
    const r = await NpzReader.open(bad, 'zeroed.npz');
    const first = r.keys()[0]!;
    await expect(r.info(first)).resolves.toBeDefined(); // the header alone is intact
    await expect(r.read(first)).rejects.toThrow(TensorFileError);
    await expect(r.read(first)).rejects.toThrow(/fails its CRC-32 check.*corrupt/);
    // the other members still read
    for (const k of r.keys().slice(1)) await expect(r.read(k)).resolves.toBeDefined();
    await r.close();
    // and the untouched file passes the same check
    await expect(readNpz(bytes)).resolves.toBeDefined();
  });

  it('catches a changed byte in a deflated member (inflate error or CRC-32)', async () => {
    const bytes = new Uint8Array(readFileSync(join(DATA, 'numpy_savez_compressed.npz')));
    const r0 = await NpzReader.open(bytes, 'ok.npz');
    const keys = r0.keys();
    await r0.close();
    let caught = 0;
    // flip one bit at several places in the archive's first member's compressed data
    const name = Buffer.from(bytes).indexOf(Buffer.from(keys[0]! + '.npy'));
    for (let d = 0; d < 8; d++) {
      const bad = bytes.slice();
      bad[name + keys[0]!.length + 4 + 20 + d * 3]! ^= 0x10;
      try {
        await readNpz(bad);
      } catch (e) {
        expect(e).toBeInstanceOf(TensorFileError);
        caught++;
      }
    }
    expect(caught).toBe(8);
  });

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
