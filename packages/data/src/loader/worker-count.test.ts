import { DataOptionError } from '../errors';
import { workerCount } from './loader';

describe('workerCount: decoding threads capped by the machine (issue 18, item 11)', () => {
  let written: string[];
  let spy: jest.SpyInstance;
  beforeEach(() => {
    written = [];
    spy = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => (written.push(String(chunk)), true));
  });
  afterEach(() => spy.mockRestore());

  test('default is min(4, cores − 1)', () => {
    expect(workerCount(undefined, 2)).toBe(1);
    expect(workerCount(undefined, 16)).toBe(4);
    expect(workerCount(undefined, 1)).toBe(0);
    expect(written).toEqual([]);
  });

  test('a request within the cores is kept', () => {
    expect(workerCount(0, 2)).toBe(0);
    expect(workerCount(8, 8)).toBe(8);
    expect(written).toEqual([]);
  });

  test('1000 on 2 cores becomes 2, with one warning naming the key and the limit', () => {
    expect(workerCount(1000, 2)).toBe(2);
    expect(written).toHaveLength(1);
    expect(written[0]).toMatch(/numWorkers 1000 is more than this machine's 2 cores; using 2 decoding threads \(set data\.workers ≤ 2\)/);
  });

  test('negative or fractional counts are refused', () => {
    expect(() => workerCount(-1, 2)).toThrow(DataOptionError);
    expect(() => workerCount(1.5, 2)).toThrow(/must be an integer ≥ 0, got 1\.5/);
  });
});
