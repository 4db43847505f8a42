import { ParallelError, type FlatLayout } from './layout';
import type { GradientResult, UpdateSegment } from './module-api';
import type * as tf from '@tensorflow/tfjs-core';

/**
 * Copies a worker's gradients into its slot of the flat buffer (missing parameters → 0) and disposes
 * the tensors. Throws for unknown names and wrong sizes.
 */
export function writeGradients(layout: FlatLayout, slot: Float32Array, grads: GradientResult['grads']): void {
  const entries = grads instanceof Map ? [...grads.entries()] : Object.entries(grads);
  const byName = new Map(entries);
  const unknown = entries.map(([n]) => n).filter((n) => !layout.names.includes(n));
  try {
    if (unknown.length) throw new ParallelError(`computeGradients returned gradients for parameters not in the pool's layout: ${unknown.slice(0, 8).join(', ')}`);
    layout.names.forEach((name, i) => {
      const off = layout.offsets[i]!;
      const size = layout.sizes[i]!;
      const g = byName.get(name);
      if (!g) {
        slot.fill(0, off, off + size);
        return;
      }
      const data = g instanceof Float32Array ? g : (g as tf.Tensor).dataSync();
      if (data.length !== size) throw new ParallelError(`gradient of '${name}' has ${data.length} elements; the parameter has ${size} (shape ${JSON.stringify(layout.shapes[i])})`);
      slot.set(data as Float32Array, off);
    });
  } finally {
    for (const [, g] of entries) if (!(g instanceof Float32Array)) (g as tf.Tensor).dispose();
  }
}

/**
 * Deterministic weighted mean over the workers' slots for elements [start, end): accumulates
 * Σ_j w_j·slot_j in float64 in slot order j = 0, 1, …, then divides by Σ w_j and stores the float32
 * result in slot 0. The same inputs always give the same bits, whatever the timing of the workers.
 */
export function reduceSegment(slots: Float32Array[], weights: Float64Array, start: number, end: number): void {
  let total = 0;
  for (let j = 0; j < slots.length; j++) total += weights[j]!;
  const out = slots[0]!;
  if (total === 0) {
    out.fill(0, start, end);
    return;
  }
  const n = slots.length;
  for (let k = start; k < end; k++) {
    let acc = 0;
    for (let j = 0; j < n; j++) acc += weights[j]! * slots[j]![k]!;
    out[k] = acc / total;
  }
}

/** The parameters overlapping [start, end) of the flat layout, for an UpdateSegment. */
export function partsOf(layout: FlatLayout, start: number, end: number): UpdateSegment['parts'] {
  const parts: UpdateSegment['parts'] = [];
  layout.names.forEach((name, i) => {
    const a = Math.max(start, layout.offsets[i]!);
    const b = Math.min(end, layout.offsets[i]! + layout.sizes[i]!);
    if (a < b) parts.push({ name, from: a - layout.offsets[i]!, to: b - layout.offsets[i]!, at: a - start });
  });
  return parts;
}
