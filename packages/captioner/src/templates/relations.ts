import { area, centreOf, intersection, type ObjectAnnotation } from './annotation';

export type DirectionRelation = 'left of' | 'right of' | 'above' | 'below';
export type DepthRelation = 'in front of' | 'partly hidden behind';
export type Relation = DirectionRelation | DepthRelation;

/**
 * Where `a` is relative to `b` in the image plane: the dominant axis of the offset between the box
 * centres (horizontal wins ties); image y grows downwards, so smaller y is "above".
 * Undefined when the centres coincide.
 */
export function directionOf(a: ObjectAnnotation, b: ObjectAnnotation): DirectionRelation | undefined {
  const [ax, ay] = centreOf(a);
  const [bx, by] = centreOf(b);
  const dx = ax - bx;
  const dy = ay - by;
  if (dx === 0 && dy === 0) return undefined;
  if (Math.abs(dx) >= Math.abs(dy)) return dx < 0 ? 'left of' : 'right of';
  return dy < 0 ? 'above' : 'below';
}

/**
 * Depth relation of `a` to `b` (objects of `all`): "partly hidden behind" when `a` is partly hidden
 * by `b`, "in front of" when `a` hides part of `b`. Uses the dataset's `occludedBy` when given;
 * otherwise both need a depth, the depths must differ and the boxes must overlap by at least
 * `minOverlap` of the farther box's area.
 */
export function depthRelationOf(a: ObjectAnnotation, b: ObjectAnnotation, all: readonly ObjectAnnotation[], minOverlap = 0.05): DepthRelation | undefined {
  if (a.occludedBy || b.occludedBy) {
    const ia = all.indexOf(a);
    const ib = all.indexOf(b);
    if (a.occludedBy?.includes(ib)) return 'partly hidden behind';
    if (b.occludedBy?.includes(ia)) return 'in front of';
    return undefined;
  }
  if (a.depth === undefined || b.depth === undefined || a.depth === b.depth) return undefined;
  const farther = a.depth > b.depth ? a : b;
  if (intersection(a.bbox, b.bbox) < minOverlap * area(farther.bbox)) return undefined;
  return a.depth < b.depth ? 'in front of' : 'partly hidden behind';
}

/** The relation a caption states for `a` relative to `b`: depth when the boxes overlap, else direction. */
export function relationOf(a: ObjectAnnotation, b: ObjectAnnotation, all: readonly ObjectAnnotation[], minOverlap = 0.05): Relation | undefined {
  return depthRelationOf(a, b, all, minOverlap) ?? directionOf(a, b);
}
