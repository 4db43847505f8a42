/**
 * Imports a Node-only module (fs, sharp, onnxruntime-node) at run time, only ever on Node code
 * paths. The specifier is a variable so that browser bundlers (esbuild, vite, webpack) leave it
 * alone. In CommonJS (the .cjs build, jest) it uses the module's own require, so the module lives in
 * the caller's realm; in ES modules, import().
 */
export async function nodeImport<T = unknown>(specifier: string): Promise<T> {
  const cjs = typeof module === 'object' && module !== null && typeof (module as { require?: unknown }).require === 'function' ? (module as NodeModule) : undefined;
  if (cjs) return cjs.require(specifier) as T;
  return (await import(/* @vite-ignore */ /* webpackIgnore: true */ specifier)) as T;
}
