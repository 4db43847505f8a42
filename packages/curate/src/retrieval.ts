import { CurateConfigError } from './errors';
import type { EmbeddingStore } from './store';

export interface RetrievalSelection {
  /** Ids selected (union over queries), in first-seen order (query order, then rank). */
  ids: string[];
  /** Per query: its k neighbours' ids, best first. */
  neighbours: string[][];
}

/**
 * Selects data by retrieval: the `k` nearest pool rows (cosine on `vector`) of each query, through
 * LanceDB (its ANN index when one exists, else flat search; `exact` forces flat).
 */
export async function selectByRetrieval(store: EmbeddingStore, queries: Float32Array[], k: number, options: { exact?: boolean; nprobes?: number } = {}): Promise<RetrievalSelection> {
  if (!(Number.isInteger(k) && k >= 1)) throw new CurateConfigError(`k must be an integer ≥ 1, not ${k}`);
  if (queries.length && store.dim !== null && queries[0]!.length !== store.dim) {
    throw new CurateConfigError(`queries are ${queries[0]!.length}-d but table "${store.name}" holds ${store.dim}-d vectors: embed the queries with the same model`);
  }
  const neighbours: string[][] = [];
  const seen = new Set<string>();
  const ids: string[] = [];
  for (const q of queries) {
    const hits = await store.search(q, k, options);
    neighbours.push(hits.map((h) => h.id));
    for (const h of hits) if (!seen.has(h.id)) (seen.add(h.id), ids.push(h.id));
  }
  return { ids, neighbours };
}

/**
 * Recall@k of approximate neighbour lists against exact ones: mean over queries of
 * |approx ∩ exact| / |exact| (1 when the ANN found every true neighbour).
 */
export function recallAtK(approx: string[][], exact: string[][]): number {
  if (approx.length !== exact.length) throw new CurateConfigError(`recall: ${approx.length} approximate lists but ${exact.length} exact ones`);
  if (!exact.length) return 1;
  let s = 0;
  exact.forEach((e, i) => {
    const a = new Set(approx[i]);
    s += e.length ? e.filter((id) => a.has(id)).length / e.length : 1;
  });
  return s / exact.length;
}

/** ANN recall@k of the store's index vs exact flat search, on the given sample of queries. */
export async function measureAnnRecall(store: EmbeddingStore, queries: Float32Array[], k: number, options: { nprobes?: number } = {}): Promise<{ recall: number; k: number; queries: number; nprobes: number | null }> {
  const ann = await selectByRetrieval(store, queries, k, { nprobes: options.nprobes });
  const exact = await selectByRetrieval(store, queries, k, { exact: true });
  return { recall: recallAtK(ann.neighbours, exact.neighbours), k, queries: queries.length, nprobes: options.nprobes ?? null };
}
