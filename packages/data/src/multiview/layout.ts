import { dirname, isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { DatasetFormatError } from '../errors';
import { formatZodIssues } from '../formats/caption-fields';
import { openGlToOpenCv, type PinholeCamera } from './camera';

/**
 * The multi-view JSON layout: one scene per line of a JSONL manifest (the built-in generator writes
 * it; users write the same for their own data). Paths are relative to the manifest's folder or
 * absolute. Matrices are nested row-major arrays (flat arrays of 9 / 16 numbers are accepted too).
 *
 * ```json
 * {"id": "scene-0", "width": 32, "height": 32, "convention": "opencv", "background": [1, 1, 1], "bound": 1,
 *  "views": [{"image": "scene-0/00.png",
 *             "K": [[fx, 0, cx], [0, fy, cy], [0, 0, 1]],
 *             "c2w": [[r00, r01, r02, tx], [r10, r11, r12, ty], [r20, r21, r22, tz], [0, 0, 0, 1]]}]}
 * ```
 * - `convention`: `opencv` (camera x right, y down, z forward; the default) or `opengl`
 *   (Blender / NeRF-synthetic `transform_matrix`: y up, z backward); readers convert to OpenCV.
 * - `c2w` is camera-to-world; its last column is the camera centre.
 * - `bound`: the object lies inside the cube [−bound, bound]³ (default 1); the LRM triplane spans it.
 * - `background`: colour of empty space, RGB in [0, 1] (default white).
 * - `split`, `objects`, `light` and other fields are optional and kept in `extra`.
 */
const matrix = (rows: number, cols: number) =>
  z.union([z.array(z.array(z.number()).length(cols)).length(rows), z.array(z.number()).length(rows * cols)]);

export const multiviewViewSchema = z
  .object({
    image: z.string().min(1, 'must be a non-empty path'),
    K: matrix(3, 3),
    c2w: z.union([matrix(4, 4), matrix(3, 4)]),
  })
  .passthrough();

export const multiviewLineSchema = z
  .object({
    id: z.union([z.string(), z.number()]).optional(),
    width: z.number().int().positive(),
    height: z.number().int().positive(),
    convention: z.enum(['opencv', 'opengl']).optional(),
    background: z.array(z.number().min(0).max(1)).length(3).optional(),
    bound: z.number().positive().optional(),
    split: z.string().optional(),
    views: z.array(multiviewViewSchema).min(2, 'a multi-view scene needs at least 2 views (a source and a target)'),
  })
  .passthrough();

export type MultiviewLine = z.infer<typeof multiviewLineSchema>;

/** One view of a validated record: absolute image path and an OpenCV camera. */
export interface MultiviewView {
  image: string;
  camera: PinholeCamera;
}

/** A validated scene record. */
export interface MultiviewRecord {
  index: number;
  line: number;
  id: string;
  split?: string;
  width: number;
  height: number;
  background: [number, number, number];
  bound: number;
  views: MultiviewView[];
  extra: Record<string, unknown>;
}

const KNOWN = new Set(['id', 'width', 'height', 'convention', 'background', 'bound', 'split', 'views']);

function flat(m: number[] | number[][]): number[] {
  return (m as unknown[]).flat() as number[];
}

/** Checks a camera: finite values, positive focal lengths, K's last row [0 0 1], c2w rotation orthonormal with det +1. */
export function checkCamera(K: number[], c2w: number[], at: string): void {
  if (![...K, ...c2w].every(Number.isFinite)) throw new DatasetFormatError(`${at}: K or c2w holds a non-finite number`);
  if (!(K[0]! > 0 && K[4]! > 0)) throw new DatasetFormatError(`${at}: K must have positive focal lengths fx = K[0][0], fy = K[1][1] (in pixels)`);
  if (K[3] !== 0 || K[6] !== 0 || K[7] !== 0 || K[8] !== 1) throw new DatasetFormatError(`${at}: K must be [[fx, s, cx], [0, fy, cy], [0, 0, 1]]`);
  if (Math.abs(c2w[12]!) + Math.abs(c2w[13]!) + Math.abs(c2w[14]!) > 1e-6 || Math.abs(c2w[15]! - 1) > 1e-6) {
    throw new DatasetFormatError(`${at}: the last row of c2w must be [0, 0, 0, 1]`);
  }
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 3; j++) {
      let d = 0;
      for (let k = 0; k < 3; k++) d += c2w[k * 4 + i]! * c2w[k * 4 + j]!;
      if (Math.abs(d - (i === j ? 1 : 0)) > 1e-3) {
        throw new DatasetFormatError(`${at}: the rotation part of c2w is not orthonormal (columns ${i}·${j} = ${d.toFixed(4)}); remove any scale from the camera-to-world matrix`);
      }
    }
  }
  const det =
    c2w[0]! * (c2w[5]! * c2w[10]! - c2w[6]! * c2w[9]!) - c2w[1]! * (c2w[4]! * c2w[10]! - c2w[6]! * c2w[8]!) + c2w[2]! * (c2w[4]! * c2w[9]! - c2w[5]! * c2w[8]!);
  if (det < 0) throw new DatasetFormatError(`${at}: the rotation part of c2w is a reflection (det −1); check the axis convention ('opencv' or 'opengl')`);
}

/** Validates one parsed manifest line; throws DatasetFormatError naming the file and line. */
export function parseMultiviewLine(json: unknown, where: { file: string; line: number; index: number }): MultiviewRecord {
  const at = `${where.file} line ${where.line}`;
  const parsed = multiviewLineSchema.safeParse(json);
  if (!parsed.success) throw new DatasetFormatError(`${at}: ${formatZodIssues(parsed.error)}`);
  const l = parsed.data;
  const base = dirname(where.file);
  const views = l.views.map((v, i) => {
    const K = flat(v.K);
    let c2w = flat(v.c2w);
    if (c2w.length === 12) c2w = [...c2w, 0, 0, 0, 1];
    checkCamera(K, c2w, `${at} view ${i}`);
    if (l.convention === 'opengl') c2w = openGlToOpenCv(c2w);
    return { image: isAbsolute(v.image) ? v.image : resolve(base, v.image), camera: { width: l.width, height: l.height, K, c2w } };
  });
  const extra: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(l)) if (!KNOWN.has(k)) extra[k] = v;
  return {
    index: where.index,
    line: where.line,
    id: l.id !== undefined ? String(l.id) : String(where.index),
    split: l.split,
    width: l.width,
    height: l.height,
    background: (l.background as [number, number, number] | undefined) ?? [1, 1, 1],
    bound: l.bound ?? 1,
    views,
    extra,
  };
}

/** Nested row-major rows of a flat matrix (for writing the layout). */
export function toRows(m: readonly number[], cols: number): number[][] {
  const rows: number[][] = [];
  for (let i = 0; i < m.length; i += cols) rows.push(m.slice(i, i + cols).map((x) => (Math.abs(x) < 1e-12 ? 0 : x)));
  return rows;
}
