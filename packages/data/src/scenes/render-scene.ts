import { Rng } from '@tips/runtime';
import { annotate, sceneLabel, type SceneObject } from './annotate';
import { syntheticCaptions, webCaption } from './captions';
import { rasterise, type SceneRaster } from './raster';
import { sampleSceneSpec, type SceneSpec } from './scene-spec';
import type { REGIONS, ShapeName } from './vocabulary';

export interface SceneOptions {
  /** Image size in pixels (default 224 × 224). */
  width?: number;
  height?: number;
  /** Objects per scene, inclusive range (default [1, 4]). */
  objects?: [number, number];
  /** Apparent size follows depth (pinhole camera; default false). See SceneSpecOptions.perspective. */
  perspective?: boolean;
}

/** Objects less visible than this (hidden behind nearer ones) are removed before captioning. */
export const MIN_VISIBLE_FRACTION = 0.3;

/** A rendered scene with everything the dataset stores about it. */
export interface RenderedScene {
  spec: SceneSpec;
  raster: SceneRaster;
  objects: SceneObject[];
  label: number;
  labelName: ShapeName;
  layout: (typeof REGIONS)[number];
  webCaption: string;
  /** [short, medium, detailed spatial] */
  syntheticCaptions: string[];
}

/**
 * Renders scene `index` of `split` for `seed`: a pure function of (seed, split, index, options), from
 * the stream Rng.derive(seed, 'scenes', split, index), so splits never share a stream.
 */
export function renderScene(seed: number | string, split: string, index: number, opts: SceneOptions = {}): RenderedScene {
  const rng = Rng.derive(seed, 'scenes', split, index);
  const width = opts.width ?? 224;
  const height = opts.height ?? 224;
  const spec = sampleSceneSpec(rng, { width, height, objects: opts.objects ?? [1, 4], perspective: opts.perspective ?? false });
  const grain = rng.nextU32();
  let raster = rasterise(spec, grain);
  const keep = spec.objects.map((_, k) => raster.footprint[k]! > 0 && raster.visible[k]! / raster.footprint[k]! >= MIN_VISIBLE_FRACTION);
  if (keep.some((k) => !k)) {
    if (!keep.some(Boolean)) keep[spec.objects.reduce((best, o, k) => (o.depth < spec.objects[best]!.depth ? k : best), 0)] = true;
    spec.objects = spec.objects.filter((_, k) => keep[k]);
    raster = rasterise(spec, grain);
  }
  const objects = annotate(spec, raster);
  const { label, name, layout } = sceneLabel(objects, raster);
  const capRng = rng.fork();
  return { spec, raster, objects, label, labelName: name, layout, webCaption: webCaption(objects, rng), syntheticCaptions: syntheticCaptions(spec, objects, capRng) };
}
