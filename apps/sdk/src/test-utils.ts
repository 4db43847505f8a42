// Helpers shared by the SDK's tests (not part of the public API).
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { readNpz, toFloat32, type TensorData } from '@tips/runtime';
import { fixture } from '../../../test-utils/fixtures';

/** A file of the official-tiny fixtures ($TIPS_FIXTURES, else ../shared/fixtures; see test-utils/fixtures.ts). */
export function officialTiny(file = ''): string {
  return fixture('official-tiny', file);
}

export interface VisionCase {
  name: string;
  weights: string;
  io: string;
  inputsHw: [number, number][];
  config: { embed_dim: number; depth: number; num_heads: number; ffn_layer: string; img_size: number };
}

export function manifest(): Record<string, Record<string, unknown>> {
  return JSON.parse(readFileSync(officialTiny('manifest.json'), 'utf8')) as Record<string, Record<string, unknown>>;
}

export function visionCases(): VisionCase[] {
  const m = manifest();
  return Object.entries(m)
    .filter(([k]) => k.startsWith('vision_'))
    .map(([k, v]) => ({
      name: k,
      weights: officialTiny(v.file as string),
      io: officialTiny(v.io as string),
      inputsHw: v.inputs_hw as [number, number][],
      config: v as unknown as VisionCase['config'],
    }));
}

export async function readIo(path: string): Promise<Record<string, TensorData>> {
  return readNpz(path);
}

export function f32(t: TensorData | undefined): Float32Array {
  if (!t) throw new Error('missing fixture array');
  return toFloat32(t);
}

import { maxAbsDiff } from '../../../test-utils/compare';

/** Largest |a − b|. */
export { maxAbsDiff };

/** Largest |a − b| / max(|b|). */
export function maxRelDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let scale = 0;
  for (let i = 0; i < b.length; i++) scale = Math.max(scale, Math.abs(b[i]!));
  return maxAbsDiff(a, b) / scale;
}

/** The official-tiny image tower that pairs with the tiny text tower (both 32 wide). */
export const TINY_MLP_CONFIG = { embedDim: 32, depth: 2, heads: 2, mlpHidden: 128, ffn: 'mlp' as const };

/** Committed SDK test data (tiny SentencePiece model, official text-tower reference outputs). */
export function sdkTestData(file: string): string {
  return resolve(__dirname, '..', 'test-data', file);
}

export interface TextReferenceRow {
  text: string;
  ids: number[];
  length: number;
  embedding: number[];
}

export function textReference(): TextReferenceRow[] {
  return (JSON.parse(readFileSync(sdkTestData('text-reference.json'), 'utf8')) as { rows: TextReferenceRow[] }).rows;
}

export function normalized(v: ArrayLike<number>): Float32Array {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]! * v[i]!;
  const n = Math.max(Math.sqrt(s), 1e-3);
  return Float32Array.from(v, (x) => x / n);
}
