/**
 * Loads a module by name at run time. CommonJS (our CJS build, jest) uses require, so that the
 * module is shared with the caller's (one tfjs-core instance); ES modules use import(). The
 * specifier is a variable, so bundlers do not try to resolve optional or Node-only modules.
 */
declare const require: ((id: string) => unknown) | undefined;

export async function loadModule<T = unknown>(specifier: string): Promise<T> {
  if (typeof require === 'function') {
    try {
      return require(specifier) as T;
    } catch (e) {
      // An ES-module build has only a stub `require` that refuses; fall through to import().
      if (!/Dynamic require/.test((e as Error).message)) throw e;
    }
  }
  return (await import(/* webpackIgnore: true */ /* @vite-ignore */ specifier)) as T;
}
