import { CurateConfigError } from './errors';
import { cosine } from './similarity';

function checkT(t: number): void {
  if (!(Number.isFinite(t) && t >= -1 && t <= 1)) throw new CurateConfigError(`de-duplication threshold must be in [-1, 1], not ${t}`);
}

export interface DedupWithinResult {
  /** Indices (into the input) kept: the lowest index of each cluster, ascending. */
  kept: number[];
  /** Indices dropped, each with the kept index of its cluster. */
  dropped: { index: number; keptAs: number }[];
  /** Clusters of ≥ 2 items, each sorted ascending. */
  clusters: number[][];
}

/**
 * De-duplication within a pool: items joined when cosine ≥ t, clusters = connected components of
 * that graph (single linkage: a chain a~b~c is one cluster even when a and c are farther apart);
 * keeps the lowest index of each. Exact O(n²) comparisons.
 */
export function dedupWithin(vectors: Float32Array[], t: number): DedupWithinResult {
  checkT(t);
  const n = vectors.length;
  const parent = Array.from({ length: n }, (_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) {
      parent[i] = parent[parent[i]!]!;
      i = parent[i]!;
    }
    return i;
  };
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      if (cosine(vectors[i]!, vectors[j]!) >= t) {
        const a = find(i);
        const b = find(j);
        if (a !== b) parent[Math.max(a, b)] = Math.min(a, b);
      }
    }
  }
  const groups = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const r = find(i);
    (groups.get(r) ?? groups.set(r, []).get(r)!).push(i);
  }
  const kept: number[] = [];
  const dropped: DedupWithinResult['dropped'] = [];
  const clusters: number[][] = [];
  for (const g of groups.values()) {
    kept.push(g[0]!);
    for (const i of g.slice(1)) dropped.push({ index: i, keptAs: g[0]! });
    if (g.length > 1) clusters.push(g);
  }
  kept.sort((a, b) => a - b);
  dropped.sort((a, b) => a.index - b.index);
  clusters.sort((a, b) => a[0]! - b[0]!);
  return { kept, dropped, clusters };
}

export interface DedupAgainstResult {
  kept: number[];
  /** Pool indices removed, each with its most similar eval item and that cosine. */
  removed: { index: number; evalIndex: number; cosine: number }[];
}

/** Removes pool items whose cosine to any eval item is ≥ t (eval-set contamination). */
export function dedupAgainst(pool: Float32Array[], evalSet: Float32Array[], t: number): DedupAgainstResult {
  checkT(t);
  const kept: number[] = [];
  const removed: DedupAgainstResult['removed'] = [];
  pool.forEach((p, index) => {
    let best = -Infinity;
    let evalIndex = -1;
    evalSet.forEach((e, j) => {
      const c = cosine(p, e);
      if (c > best) {
        best = c;
        evalIndex = j;
      }
    });
    if (evalIndex >= 0 && best >= t) removed.push({ index, evalIndex, cosine: best });
    else kept.push(index);
  });
  return { kept, removed };
}
