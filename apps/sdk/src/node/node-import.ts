/**
 * Imports a Node-only module (fs, sharp, onnxruntime-node) at run time. The specifier is a variable
 * so that browser bundlers (esbuild, vite, webpack) leave it alone instead of trying to bundle it;
 * this is only ever called on Node code paths.
 */
export async function nodeImport<T = unknown>(specifier: string): Promise<T> {
  const spec = specifier;
  const mod = (await import(/* @vite-ignore */ /* webpackIgnore: true */ spec)) as T & { default?: T };
  return mod;
}
