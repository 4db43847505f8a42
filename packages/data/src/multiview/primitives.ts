import { type Vec3 } from './camera';

/** The shapes the multi-view generator places. All are solid and closed. */
export type PrimitiveKind = 'sphere' | 'box' | 'cylinder' | 'cone';

/**
 * One object of a scene, in world coordinates (y up). `rotation` is the 3×3 row-major
 * object-to-world rotation. Sizes: sphere → radius = size[0]; box → half extents size[0..2];
 * cylinder → radius size[0], half height size[1] (axis = local y); cone → base radius size[0],
 * half height size[1], apex at local +y.
 */
export interface Primitive {
  kind: PrimitiveKind;
  center: Vec3;
  size: Vec3;
  rotation: number[];
  /** Albedo, linear RGB in [0, 1]. */
  color: Vec3;
}

/** A hit: distance along the (unit) ray and the outward unit normal in world coordinates. */
export interface PrimitiveHit {
  t: number;
  normal: Vec3;
}

const EPS = 1e-9;

function toLocal(p: Primitive, o: Vec3, d: Vec3): { o: Vec3; d: Vec3 } {
  const R = p.rotation;
  const q: Vec3 = [o[0] - p.center[0], o[1] - p.center[1], o[2] - p.center[2]];
  // Rᵀ·v (object-to-world transposed = world-to-object).
  const rt = (v: Vec3): Vec3 => [
    R[0]! * v[0] + R[3]! * v[1] + R[6]! * v[2],
    R[1]! * v[0] + R[4]! * v[1] + R[7]! * v[2],
    R[2]! * v[0] + R[5]! * v[1] + R[8]! * v[2],
  ];
  return { o: rt(q), d: rt(d) };
}

function toWorldNormal(p: Primitive, n: Vec3): Vec3 {
  const R = p.rotation;
  const w: Vec3 = [R[0]! * n[0] + R[1]! * n[1] + R[2]! * n[2], R[3]! * n[0] + R[4]! * n[1] + R[5]! * n[2], R[6]! * n[0] + R[7]! * n[1] + R[8]! * n[2]];
  const len = Math.hypot(w[0], w[1], w[2]);
  return [w[0] / len, w[1] / len, w[2] / len];
}

/** Smallest root of a·t² + b·t + c = 0 above tMin that passes `accept`, or Infinity. */
function quadraticHit(a: number, b: number, c: number, tMin: number, accept: (t: number) => boolean): number {
  if (Math.abs(a) < EPS) {
    if (Math.abs(b) < EPS) return Infinity;
    const t = -c / b;
    return t > tMin && accept(t) ? t : Infinity;
  }
  const disc = b * b - 4 * a * c;
  if (disc < 0) return Infinity;
  const s = Math.sqrt(disc);
  const q = b < 0 ? -0.5 * (b - s) : -0.5 * (b + s);
  let t0 = q / a;
  let t1 = Math.abs(q) > EPS ? c / q : t0;
  if (t0 > t1) [t0, t1] = [t1, t0];
  if (t0 > tMin && accept(t0)) return t0;
  if (t1 > tMin && accept(t1)) return t1;
  return Infinity;
}

/**
 * Nearest intersection of the ray o + t·d (d unit length, world coordinates) with the primitive,
 * for t > tMin, or null.
 */
export function intersectPrimitive(p: Primitive, origin: Vec3, direction: Vec3, tMin = 1e-6): PrimitiveHit | null {
  const { o, d } = toLocal(p, origin, direction);
  let t = Infinity;
  let n: Vec3 = [0, 0, 0];
  switch (p.kind) {
    case 'sphere': {
      const r = p.size[0];
      const tt = quadraticHit(d[0] * d[0] + d[1] * d[1] + d[2] * d[2], 2 * (o[0] * d[0] + o[1] * d[1] + o[2] * d[2]), o[0] * o[0] + o[1] * o[1] + o[2] * o[2] - r * r, tMin, () => true);
      if (tt < t) {
        t = tt;
        n = [o[0] + t * d[0], o[1] + t * d[1], o[2] + t * d[2]];
      }
      break;
    }
    case 'box': {
      let tNear = -Infinity;
      let tFar = Infinity;
      let axis = 0;
      let sign = 1;
      for (let a = 0; a < 3; a++) {
        const h = p.size[a]!;
        if (Math.abs(d[a]!) < EPS) {
          if (Math.abs(o[a]!) > h) return null;
          continue;
        }
        let t1 = (-h - o[a]!) / d[a]!;
        let t2 = (h - o[a]!) / d[a]!;
        let s = -1;
        if (t1 > t2) {
          [t1, t2] = [t2, t1];
          s = 1;
        }
        if (t1 > tNear) {
          tNear = t1;
          axis = a;
          sign = s;
        }
        tFar = Math.min(tFar, t2);
      }
      if (tNear > tFar || tFar <= tMin) return null;
      if (tNear > tMin) {
        t = tNear;
        n = [0, 0, 0];
        n[axis] = sign;
      } else return null; // ray starts inside: no outside surface in front
      break;
    }
    case 'cylinder':
    case 'cone': {
      const r = p.size[0];
      const h = p.size[1];
      const inHeight = (tt: number) => Math.abs(o[1] + tt * d[1]) <= h;
      if (p.kind === 'cylinder') {
        const ts = quadraticHit(d[0] * d[0] + d[2] * d[2], 2 * (o[0] * d[0] + o[2] * d[2]), o[0] * o[0] + o[2] * o[2] - r * r, tMin, inHeight);
        if (ts < t) {
          t = ts;
          n = [o[0] + t * d[0], 0, o[2] + t * d[2]];
        }
      } else {
        // x² + z² = k²(h − y)², k = r / 2h (apex at y = +h, base radius r at y = −h).
        const k = r / (2 * h);
        const k2 = k * k;
        const yo = h - o[1];
        const ts = quadraticHit(
          d[0] * d[0] + d[2] * d[2] - k2 * d[1] * d[1],
          2 * (o[0] * d[0] + o[2] * d[2] + k2 * yo * d[1]),
          o[0] * o[0] + o[2] * o[2] - k2 * yo * yo,
          tMin,
          inHeight,
        );
        if (ts < t) {
          t = ts;
          const px = o[0] + t * d[0];
          const py = o[1] + t * d[1];
          const pz = o[2] + t * d[2];
          n = [px, k2 * (h - py), pz];
        }
      }
      // Caps: top (cylinder only) and bottom.
      const caps = p.kind === 'cylinder' ? [h, -h] : [-h];
      for (const y of caps) {
        if (Math.abs(d[1]) < EPS) continue;
        const tc = (y - o[1]) / d[1];
        if (tc <= tMin || tc >= t) continue;
        const x = o[0] + tc * d[0];
        const z = o[2] + tc * d[2];
        if (x * x + z * z <= r * r) {
          t = tc;
          n = [0, Math.sign(y), 0];
        }
      }
      break;
    }
  }
  if (!Number.isFinite(t)) return null;
  return { t, normal: toWorldNormal(p, n) };
}

/** Radius of the smallest origin-centred sphere holding the primitive (a conservative bound). */
export function boundingRadius(p: Primitive): number {
  const c = Math.hypot(p.center[0], p.center[1], p.center[2]);
  switch (p.kind) {
    case 'sphere':
      return c + p.size[0];
    case 'box':
      return c + Math.hypot(p.size[0], p.size[1], p.size[2]);
    default:
      return c + Math.hypot(p.size[0], p.size[1]);
  }
}
