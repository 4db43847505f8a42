import type * as tf from '@tensorflow/tfjs-core';

/**
 * 32-bit FNV-1a hash of the float32 bits of every variable, in the map's order: equal hashes mean
 * (with overwhelming probability) bit-identical weights. For tests and checks, not per step in
 * production (it reads every weight).
 */
export function hashVariables(vars: Map<string, tf.Variable>): number {
  let h = 0x811c9dc5;
  for (const v of vars.values()) {
    const words = new Uint32Array((v.dataSync() as Float32Array).slice().buffer);
    for (let i = 0; i < words.length; i++) {
      const w = words[i]!;
      h = Math.imul(h ^ (w & 0xff), 0x01000193);
      h = Math.imul(h ^ ((w >>> 8) & 0xff), 0x01000193);
      h = Math.imul(h ^ ((w >>> 16) & 0xff), 0x01000193);
      h = Math.imul(h ^ (w >>> 24), 0x01000193);
    }
  }
  return h >>> 0;
}
