// Each entry point (index, core) bundles its own copy of the error classes; `instanceof` must hold
// across copies. Two copies are made here by loading the module twice in isolation.
import * as a from './errors';

function secondCopy(): typeof import('./errors') {
  let b!: typeof import('./errors');
  jest.isolateModules(() => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    b = require('./errors') as typeof import('./errors');
  });
  return b;
}

describe('error classes match across bundle copies', () => {
  const b = secondCopy();

  test('the copies are different classes', () => {
    expect(b.TensorFileError).not.toBe(a.TensorFileError);
  });

  test('a subclass matches its own name and TipsError, in either copy', () => {
    const e = new b.TensorFileError('x.npz: truncated');
    expect(e).toBeInstanceOf(a.TensorFileError);
    expect(e).toBeInstanceOf(a.TipsError);
    expect(e).toBeInstanceOf(b.TipsError);
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe('TensorFileError');
    const c = new a.CheckpointError('bad', ['k'], [], []);
    expect(c).toBeInstanceOf(b.CheckpointError);
    expect(c.missing).toEqual(['k']);
  });

  test('a subclass does not match a sibling class, and plain errors match nothing', () => {
    const e = new b.TensorFileError('t');
    expect(e).not.toBeInstanceOf(a.CheckpointError);
    expect(e).not.toBeInstanceOf(a.BackendError);
    expect(new Error('plain')).not.toBeInstanceOf(a.TipsError);
    expect({ message: 'duck' }).not.toBeInstanceOf(a.TensorFileError);
    expect(null).not.toBeInstanceOf(a.TipsError);
  });

  test("a package's own subclass of TipsError matches across copies of that subclass, and its parents", () => {
    const defineFamily = (base: typeof a.TipsError) => {
      class LoaderError extends base {
        constructor(m: string) {
          super('LOADER', m);
        }
      }
      class LoaderConfigError extends LoaderError {}
      return { LoaderError, LoaderConfigError };
    };
    const one = defineFamily(a.TipsError);
    const two = defineFamily(b.TipsError);
    const e = new one.LoaderConfigError('cfg');
    expect(e).toBeInstanceOf(two.LoaderConfigError);
    expect(e).toBeInstanceOf(two.LoaderError);
    expect(e).toBeInstanceOf(b.TipsError);
    expect(new one.LoaderError('base')).not.toBeInstanceOf(two.LoaderConfigError);
  });
});
