import { fabs } from './fast-math';
import type { ShapeName } from './vocabulary';

/**
 * Point-in-shape tests in the shape's own frame: the shape is centred at the origin and fits in the
 * unit disc (radius 1 = the object's radius). y points down.
 */
export type InsideTest = (u: number, v: number) => boolean;

function polygon(vertices: [number, number][]): InsideTest {
  const xs = vertices.map((p) => p[0]);
  const ys = vertices.map((p) => p[1]);
  const n = vertices.length;
  return (u, v) => {
    let inside = false;
    for (let i = 0, j = n - 1; i < n; j = i++) {
      const yi = ys[i]!;
      const yj = ys[j]!;
      if (yi > v !== yj > v && u < ((xs[j]! - xs[i]!) * (v - yi)) / (yj - yi) + xs[i]!) inside = !inside;
    }
    return inside;
  };
}

function regular(points: number, outer: number, inner: number | null, phase: number): [number, number][] {
  const out: [number, number][] = [];
  const k = inner === null ? points : points * 2;
  for (let i = 0; i < k; i++) {
    const a = phase + (2 * Math.PI * i) / k;
    const r = inner === null || i % 2 === 0 ? outer : inner;
    out.push([r * Math.cos(a), r * Math.sin(a)]);
  }
  return out;
}

const TRIANGLE = polygon(regular(3, 1, null, -Math.PI / 2)); // apex up
const STAR = polygon(regular(5, 1, 0.45, -Math.PI / 2));
const HEXAGON = polygon(regular(6, 1, null, 0));

export const SHAPE_TESTS: Record<ShapeName, InsideTest> = {
  circle: (u, v) => u * u + v * v <= 1,
  ring: (u, v) => {
    const d = u * u + v * v;
    return d <= 1 && d >= 0.55 * 0.55;
  },
  square: (u, v) => fabs(u) <= 0.8 && fabs(v) <= 0.8,
  diamond: (u, v) => fabs(u) / 0.72 + fabs(v) <= 1,
  triangle: TRIANGLE,
  star: STAR,
  hexagon: HEXAGON,
  cross: (u, v) => {
    const au = fabs(u);
    const av = fabs(v);
    return (au <= 0.3 && av <= 0.92) || (av <= 0.3 && au <= 0.92);
  },
};
