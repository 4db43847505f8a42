import type { Rng } from '@tips/runtime';
import type { SceneObject } from './annotate';
import type { SceneSpec } from './scene-spec';
import { COLOUR_NAMES, SHAPES, TEXTURES } from './vocabulary';

const NUMBERS = ['no', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight'];

/** "a red circle", "a large red circle". */
function noun(o: SceneObject, withSize: boolean): string {
  const words = `${withSize ? `${o.size} ` : ''}${o.colour} ${o.class}`;
  return `${/^[aeiou]/.test(words) ? 'an' : 'a'} ${words}`;
}

/** "x", "x and y", "x, y and z". */
function listing(items: string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

function backgroundPhrase(spec: SceneSpec): string {
  return `on a ${TEXTURES[spec.background.texture]} ${spec.background.colour} background`;
}

/** Reading order: by region row, then left to right. */
function readingOrder(objects: readonly SceneObject[]): number[] {
  return objects
    .map((_, i) => i)
    .sort((a, b) => rowOf(objects[a]!) - rowOf(objects[b]!) || objects[a]!.center[0] - objects[b]!.center[0] || a - b);
}
function rowOf(o: SceneObject): number {
  return o.region.includes('upper') || o.region === 'at the top' ? 0 : o.region.includes('lower') || o.region === 'at the bottom' ? 2 : 1;
}

/** Rough token count of a caption (words + punctuation), used to keep captions within 64 tokens. */
export function roughTokenCount(text: string): number {
  return (text.match(/[a-z]+|[^\sa-z]/gi) ?? []).length;
}

/**
 * The synthetic captions of a scene, from coarse to fine (multi-granularity):
 *  0. short: the objects ("a red circle, a blue square and a green triangle");
 *  1. medium: with sizes and positions and the background;
 *  2. detailed spatial: positions, occlusion ("partly hidden behind a blue square"), which shape is
 *     nearest to the camera, and the background, kept under ~60 tokens.
 */
export function syntheticCaptions(spec: SceneSpec, objects: readonly SceneObject[], rng: Rng): string[] {
  const order = readingOrder(objects);
  const n = objects.length;
  const shortList = listing(order.map((k) => noun(objects[k]!, false)));
  const short = rng.bernoulli(0.5) || n === 1 ? shortList : `${NUMBERS[n]} shapes: ${shortList}`;
  const medium = `${listing(order.map((k) => `${noun(objects[k]!, true)} ${objects[k]!.region}`))}, ${backgroundPhrase(spec)}`;

  const clause = (k: number, occl: boolean, sizes: boolean) => {
    const o = objects[k]!;
    let s = `${noun(o, sizes)} ${o.region}`;
    if (occl && o.occluded_by.length > 0) {
      const by = objects[o.occluded_by[0]!]!;
      s += `, ${o.visible_fraction < 0.5 ? 'mostly' : 'partly'} hidden behind ${noun(by, false)}`;
    }
    return s;
  };
  const nearest = objects.findIndex((o) => o.depth_order === 0);
  const variants: [boolean, boolean, boolean, boolean][] = [
    // [occlusion, sizes, nearest, background]
    [true, true, true, true],
    [true, true, false, true],
    [true, true, false, false],
    [true, false, false, false],
    [false, false, false, false],
  ];
  let detailed = '';
  for (const [occl, sizes, near, bg] of variants) {
    detailed = order.map((k) => clause(k, occl, sizes)).join('; ');
    if (near && n > 1) detailed += `; the ${objects[nearest]!.colour} ${objects[nearest]!.class} is nearest to the camera`;
    if (bg) detailed += `; all ${backgroundPhrase(spec)}`;
    if (roughTokenCount(detailed) <= 60) break;
  }
  return [short, medium, detailed];
}

const JUNK = [
  'sale', 'free shipping', 'stock photo', 'hd wallpaper', 'vector illustration', 'best price', 'buy now', 'clipart',
  'free download', 'png', 'new arrivals', 'click here', 'high quality', '4k', 'royalty free', 'limited offer', 'shop now',
];

/**
 * A web-style (alt-text) caption: object-level only ("red circle blue square"), noisy the way alt-text
 * is: objects dropped (25%), colour (10%) or shape (8%) wrong, junk tokens ("sale free shipping"),
 * file-name-like ids, random casing and separators. Never spatial.
 */
export function webCaption(objects: readonly SceneObject[], rng: Rng): string {
  const words: string[] = [];
  for (const o of rng.shuffle([...objects])) {
    if (rng.bernoulli(0.25)) continue;
    const colour = rng.bernoulli(0.1) ? rng.pick(COLOUR_NAMES) : o.colour;
    const shape = rng.bernoulli(0.08) ? rng.pick(SHAPES) : o.class;
    words.push(rng.bernoulli(0.15) ? shape : `${colour} ${shape}`);
  }
  if (words.length === 0) words.push(rng.pick(['shapes', 'geometric shapes', 'abstract', 'pattern']));
  const junkCount = rng.bernoulli(0.7) ? 1 + rng.int(3) : 0;
  for (let i = 0; i < junkCount; i++) words.splice(rng.int(words.length + 1), 0, rng.pick(JUNK));
  if (rng.bernoulli(0.2)) words.push(`img_${1000 + rng.int(9000)}`);
  const sep = rng.pick([' ', ' ', ', ', ' | ', ' - ']);
  let text = words.join(sep);
  const casing = rng.uniform();
  if (casing < 0.1) text = text.toUpperCase();
  else if (casing < 0.3) text = text.replace(/\b[a-z]/g, (c) => c.toUpperCase());
  return text;
}
