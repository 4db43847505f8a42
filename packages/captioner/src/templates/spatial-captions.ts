import type { Granularity } from '../prompts';
import { area, centreOf, validateAnnotation, type ImageAnnotation, type ObjectAnnotation } from './annotation';
import { capitalise, countWord, joinList, plural, withArticle } from './english';
import { cellName, cellPhrase, gridCell } from './grid';
import { depthRelationOf, relationOf } from './relations';

export interface TemplateOptions {
  /** Overlap (fraction of the farther box) from which a nearer object counts as hiding it (default 0.05). */
  minOverlap?: number;
}

/** Size word from the box area as a fraction of the image: below 1/36 small, above 1/9 large (one grid cell). */
export function sizeWord(o: ObjectAnnotation, img: ImageAnnotation): string {
  if (o.size) return o.size;
  const f = area(o.bbox) / (img.width * img.height);
  return f < 1 / 36 ? 'small' : f > 1 / 9 ? 'large' : 'medium-sized';
}

/** Objects in reading order: grid row, then centre x, then centre y, then input order. */
function readingOrder(img: ImageAnnotation): ObjectAnnotation[] {
  const keyed = img.objects.map((o, i) => ({ o, i, cell: gridCell(o, img.width, img.height), c: centreOf(o) }));
  keyed.sort((a, b) => a.cell.row - b.cell.row || a.c[0] - b.c[0] || a.c[1] - b.c[1] || a.i - b.i);
  return keyed.map((k) => k.o);
}

function colourName(o: ObjectAnnotation): string {
  return o.colour ? `${o.colour} ${o.name}` : o.name;
}

/**
 * A definite reference that picks out `o` among all objects: "the red cube", else with its size
 * ("the small red cube"), else with its grid cell ("the red cube on the left"), else numbered.
 */
function referenceTo(o: ObjectAnnotation, img: ImageAnnotation): string {
  const same = (f: (x: ObjectAnnotation) => string): boolean => img.objects.filter((x) => f(x) === f(o)).length === 1;
  if (same(colourName)) return `the ${colourName(o)}`;
  const sized = (x: ObjectAnnotation): string => `${sizeWord(x, img)} ${colourName(x)}`;
  if (same(sized)) return `the ${sized(o)}`;
  const placed = (x: ObjectAnnotation): string => `${colourName(x)} ${cellName(gridCell(x, img.width, img.height))}`;
  if (same(placed)) return `the ${colourName(o)} in the ${cellName(gridCell(o, img.width, img.height))}`;
  const twins = readingOrder(img).filter((x) => placed(x) === placed(o));
  return `the ${ORDINALS[twins.indexOf(o)] ?? `${twins.indexOf(o) + 1}th`} ${colourName(o)} from the left`;
}

const ORDINALS = ['first', 'second', 'third', 'fourth', 'fifth', 'sixth', 'seventh', 'eighth', 'ninth', 'tenth'];

/** "a red cube, two blue spheres and a green cylinder" (groups equal colour+name, in reading order). */
function inventory(img: ImageAnnotation): string {
  const groups = new Map<string, { o: ObjectAnnotation; n: number }>();
  for (const o of readingOrder(img)) {
    const k = colourName(o);
    const g = groups.get(k);
    if (g) g.n++;
    else groups.set(k, { o, n: 1 });
  }
  return joinList(
    [...groups.values()].map(({ o, n }) => (n === 1 ? withArticle(colourName(o)) : `${countWord(n)} ${o.colour ? `${o.colour} ` : ''}${plural(o.name)}`)),
  );
}

/** short: what is in the image. */
export function shortCaption(img: ImageAnnotation): string {
  return `${capitalise(inventory(img))}.`;
}

/** detailed: every object with its size, colour and place in a 3×3 grid of the image. */
export function detailedCaption(img: ImageAnnotation): string {
  const parts = readingOrder(img).map((o) => `${withArticle(`${sizeWord(o, img)} ${colourName(o)}`)} ${cellPhrase(gridCell(o, img.width, img.height))}`);
  const count = img.objects.length === 1 ? 'One object' : `${capitalise(countWord(img.objects.length))} objects`;
  return `${count}: ${joinList(parts)}.`;
}

/**
 * spatial: every object's place, each related to the nearest object mentioned before it (left of /
 * right of / above / below, or in front of / partly hidden behind when their boxes overlap and
 * depths differ), then every occlusion not stated yet.
 */
export function spatialCaption(img: ImageAnnotation, options: TemplateOptions = {}): string {
  const minOverlap = options.minOverlap ?? 0.05;
  const order = readingOrder(img);
  const sentences: string[] = [];
  const stated = new Set<string>();
  order.forEach((o, i) => {
    const where = cellPhrase(gridCell(o, img.width, img.height));
    const subject = capitalise(`the ${sizeWord(o, img)} ${colourName(o)}`);
    if (i === 0) {
      sentences.push(`${subject} is ${where}.`);
      return;
    }
    const [cx, cy] = centreOf(o);
    let nearest = order[0]!;
    let best = Infinity;
    for (const p of order.slice(0, i)) {
      const [px, py] = centreOf(p);
      const d = (px - cx) ** 2 + (py - cy) ** 2;
      if (d < best) {
        best = d;
        nearest = p;
      }
    }
    const rel = relationOf(o, nearest, img.objects, minOverlap);
    if (rel) stated.add(pairKey(o, nearest, img));
    sentences.push(rel ? `${subject} is ${where}, ${rel} ${referenceTo(nearest, img)}.` : `${subject} is ${where}.`);
  });
  for (const a of order) {
    for (const b of order) {
      if (a === b || stated.has(pairKey(a, b, img))) continue;
      if (depthRelationOf(a, b, img.objects, minOverlap) === 'partly hidden behind') {
        stated.add(pairKey(a, b, img));
        sentences.push(`${capitalise(referenceTo(a, img))} is partly hidden behind ${referenceTo(b, img)}.`);
      }
    }
  }
  return sentences.join(' ');
}

function pairKey(a: ObjectAnnotation, b: ObjectAnnotation, img: ImageAnnotation): string {
  const i = img.objects.indexOf(a);
  const j = img.objects.indexOf(b);
  return i < j ? `${i}:${j}` : `${j}:${i}`;
}

/** The template caption of an annotated image at one granularity (validates the annotation first). */
export function templateCaption(img: ImageAnnotation, granularity: Granularity, options: TemplateOptions = {}, where = 'annotation'): string {
  validateAnnotation(img, where);
  switch (granularity) {
    case 'short':
      return shortCaption(img);
    case 'detailed':
      return detailedCaption(img);
    case 'spatial':
      return spatialCaption(img, options);
  }
}
