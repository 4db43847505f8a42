import { join, relative } from 'node:path';
import sharp from 'sharp';
import { Rng, writeFileAtomic } from '@tips/runtime';
import { DataOptionError } from '../errors';
import type { PinholeCamera } from './camera';
import { toRows } from './layout';
import { raycastView } from './raycast';
import { orbitRig, type OrbitRigOptions } from './rig';
import { samplePrimitiveScene, type MultiviewScene, type SceneSampleOptions } from './scene';

export interface MultiviewGenerateOptions extends SceneSampleOptions, Omit<OrbitRigOptions, 'views' | 'size'> {
  /** Output folder; PNGs go to `<out>/<split>/<id>/<view>.png`, the manifest to `<out>/<split>.jsonl`. */
  out: string;
  /** Number of scenes. */
  count: number;
  /** Views per scene (default 6). */
  views?: number;
  /** Image side in pixels (default 32). */
  size?: number;
  /** Seed of the whole set (default 0). */
  seed?: number | string;
  /** Split name (default 'train'). Each split draws its scenes from its own stream, so splits never share a scene. */
  split?: string;
  /** Sub-pixel rays per axis for antialiasing (default 2). */
  supersample?: number;
  /** Called after each scene. */
  onProgress?: (done: number, total: number) => void;
}

export interface MultiviewGenerateResult {
  manifest: string;
  scenes: number;
  views: number;
  seconds: number;
}

/** One generated scene before it is written: the scene, its cameras and its id. */
export interface SampledMultiviewScene {
  id: string;
  scene: MultiviewScene;
  cameras: PinholeCamera[];
}

/**
 * Scene `index` of a split: drawn from Rng.derive(seed, 'multiview', split, index), so any scene can
 * be regenerated alone and the same (seed, split, index) always gives the same scene and cameras.
 */
export function sampleMultiviewScene(
  index: number,
  options: SceneSampleOptions & Omit<OrbitRigOptions, 'views' | 'size'> & { seed?: number | string; split?: string; views?: number; size?: number },
): SampledMultiviewScene {
  const split = options.split ?? 'train';
  const rng = Rng.derive(options.seed ?? 0, 'multiview', split, index);
  const scene = samplePrimitiveScene(rng, options);
  const cameras = orbitRig(rng, { ...options, views: options.views ?? 6, size: options.size ?? 32 });
  return { id: `${split}-${String(index).padStart(6, '0')}`, scene, cameras };
}

/**
 * Generates a multi-view dataset of 3D primitive scenes, ray-cast from cameras on a sphere around
 * each scene, and writes PNGs plus a JSONL manifest in the layout of layout.ts (with the scene's
 * objects and light as extra fields). Deterministic for a given seed; files are written atomically.
 */
export async function generateMultiviewScenes(options: MultiviewGenerateOptions): Promise<MultiviewGenerateResult> {
  const started = Date.now();
  const split = options.split ?? 'train';
  const views = options.views ?? 6;
  const size = options.size ?? 32;
  if (!Number.isInteger(options.count) || options.count < 1) throw new DataOptionError(`count must be a positive integer, got ${options.count}`);
  if (!Number.isInteger(views) || views < 2) throw new DataOptionError(`views must be an integer ≥ 2 (a source and a target view), got ${views}`);
  if (!Number.isInteger(size) || size < 4 || size > 1024) throw new DataOptionError(`size must be an integer in [4, 1024], got ${size}`);
  if (!/^[A-Za-z0-9_-]+$/.test(split)) throw new DataOptionError(`split '${split}' must be letters, digits, '-' or '_' (it names files)`);
  const manifest = join(options.out, `${split}.jsonl`);
  const lines: string[] = [];
  const pending: Promise<void>[] = [];
  for (let i = 0; i < options.count; i++) {
    const { id, scene, cameras } = sampleMultiviewScene(i, { ...options, split, views, size });
    const viewEntries = [];
    for (let v = 0; v < cameras.length; v++) {
      const cam = cameras[v]!;
      const img = raycastView(scene, cam, options.supersample ?? 2);
      const file = join(options.out, split, id, `${String(v).padStart(2, '0')}.png`);
      pending.push(
        sharp(Buffer.from(img.rgb.buffer, img.rgb.byteOffset, img.rgb.length), { raw: { width: size, height: size, channels: 3 } })
          .png()
          .toBuffer()
          .then((png) => writeFileAtomic(file, png)),
      );
      viewEntries.push({ image: relative(options.out, file).split('\\').join('/'), K: toRows(cam.K, 3), c2w: toRows(cam.c2w, 4) });
    }
    lines.push(
      JSON.stringify({
        id,
        split,
        width: size,
        height: size,
        convention: 'opencv',
        background: scene.background,
        bound: 1,
        views: viewEntries,
        objects: scene.objects,
        light: { direction: scene.lightDir, ambient: scene.ambient },
      }),
    );
    if (pending.length >= 64) await Promise.all(pending.splice(0));
    options.onProgress?.(i + 1, options.count);
  }
  await Promise.all(pending);
  await writeFileAtomic(manifest, lines.join('\n') + '\n');
  return { manifest, scenes: options.count, views, seconds: (Date.now() - started) / 1000 };
}
