import { resolve } from 'node:path';
import { writeAtomic, writeManifest } from './io';
import { CurateConfigError, CurateDimensionError } from './errors';
import { dedupAgainst, dedupWithin } from './dedup';
import { measureAnnRecall, selectByRetrieval } from './retrieval';
import { eldDetector, type LanguageDetector } from './language';
import { loadRecords, type CurateRecord } from './records';
import { writeHistogramPng } from './report';
import { cosine, histogram } from './similarity';
import { DEFAULT_TABLE, EmbeddingStore, type EmbeddingRow } from './store';

/** Which image embedding to compare with the web caption's: CLS token 0 (`vector`) or 1 (`vector2`). */
export type ImageColumn = 'vector' | 'vector2';

export interface SimilarityFilterOptions {
  /** Keep pairs with image-text cosine ≥ threshold (in [-1, 1]). */
  threshold?: number;
  /** Or keep the best `round(topFraction · n)` pairs (in (0, 1]); ties broken by manifest index. */
  topFraction?: number;
  column?: ImageColumn;
}

export interface SimilarityScore {
  id: string;
  index: number;
  cosine: number;
}

export interface SimilarityFilterResult {
  kept: SimilarityScore[];
  dropped: SimilarityScore[];
  /** Rows without a web caption (image-only): never kept by this filter. */
  imageOnly: string[];
  /** The cosine a kept pair needed (the threshold, or the lowest kept score for topFraction). */
  cutoff: number | null;
}

function checkSimilarityOptions(o: SimilarityFilterOptions): void {
  const hasT = o.threshold !== undefined;
  const hasF = o.topFraction !== undefined;
  if (hasT === hasF) throw new CurateConfigError('similarity filter: give exactly one of threshold or topFraction');
  if (hasT && !(Number.isFinite(o.threshold) && o.threshold! >= -1 && o.threshold! <= 1)) throw new CurateConfigError(`similarity threshold must be in [-1, 1], not ${o.threshold}`);
  if (hasF && !(Number.isFinite(o.topFraction) && o.topFraction! > 0 && o.topFraction! <= 1)) throw new CurateConfigError(`topFraction must be in (0, 1], not ${o.topFraction}`);
}

/**
 * Image-text similarity filter over stored rows: the cosine of the image embedding (`column`) and the
 * web-caption embedding; keeps pairs at or above `threshold`, or the top `topFraction` of them.
 */
export function similarityFilter(rows: EmbeddingRow[], o: SimilarityFilterOptions): SimilarityFilterResult {
  checkSimilarityOptions(o);
  const col = o.column ?? 'vector';
  const imageOnly: string[] = [];
  const scores: SimilarityScore[] = [];
  for (const r of rows) {
    if (!r.hasText) imageOnly.push(r.id);
    else scores.push({ id: r.id, index: r.index, cosine: cosine(r[col], r.textVector) });
  }
  let keep: Set<string>;
  let cutoff: number | null;
  if (o.threshold !== undefined) {
    keep = new Set(scores.filter((s) => s.cosine >= o.threshold!).map((s) => s.id));
    cutoff = o.threshold;
  } else {
    const n = Math.round(o.topFraction! * scores.length);
    const best = [...scores].sort((a, b) => b.cosine - a.cosine || a.index - b.index).slice(0, n);
    keep = new Set(best.map((s) => s.id));
    cutoff = best.length ? best[best.length - 1]!.cosine : null;
  }
  const byIndex = (a: SimilarityScore, b: SimilarityScore) => a.index - b.index;
  return { kept: scores.filter((s) => keep.has(s.id)).sort(byIndex), dropped: scores.filter((s) => !keep.has(s.id)).sort(byIndex), imageOnly, cutoff };
}

export interface LanguageFilterOptions {
  /** ISO 639-1 codes to keep (default ['en']). */
  keep?: string[];
  /** Default: eld's large database. */
  detector?: LanguageDetector;
  /** Keep records without a web caption (default false: the language is unknown). */
  keepImageOnly?: boolean;
}

export interface LanguageFilterResult {
  kept: CurateRecord[];
  dropped: { record: CurateRecord; language: string }[];
  /** Records per detected language ('' = undetected, 'none' = no caption). */
  languages: Record<string, number>;
}

/** Keeps records whose web caption is detected as one of `keep` (English by default). */
export async function languageFilter(records: CurateRecord[], o: LanguageFilterOptions = {}): Promise<LanguageFilterResult> {
  const keep = new Set(o.keep ?? ['en']);
  if (!keep.size) throw new CurateConfigError('language filter: keep lists no language');
  const detect = o.detector ?? (await eldDetector());
  const kept: CurateRecord[] = [];
  const dropped: LanguageFilterResult['dropped'] = [];
  const languages: Record<string, number> = {};
  for (const r of records) {
    const lang = r.webCaption === undefined ? 'none' : detect(r.webCaption);
    languages[lang] = (languages[lang] ?? 0) + 1;
    if (keep.has(lang) || (lang === 'none' && o.keepImageOnly)) kept.push(r);
    else dropped.push({ record: r, language: lang });
  }
  return { kept, dropped, languages };
}

/** What every run* filter writes next to its manifest. */
export interface FilterReport {
  filter: string;
  input: string;
  output: string;
  records: number;
  kept: number;
  dropped: number;
  [extra: string]: unknown;
}

async function finish(filter: string, input: string, out: string, reportPath: string | undefined, all: CurateRecord[], keptIds: Set<string>, extra: Record<string, unknown>): Promise<FilterReport> {
  const kept = all.filter((r) => keptIds.has(r.id));
  const output = await writeManifest(out, kept);
  const report: FilterReport = { filter, input, output, records: all.length, kept: kept.length, dropped: all.length - kept.length, ...extra };
  await writeAtomic(reportPath ?? `${output}.report.json`, `${JSON.stringify(report, null, 2)}\n`);
  return report;
}

export interface RunFilterBase {
  manifest: string;
  /** Kept records, JSONL (written to a temp file, then renamed). */
  out: string;
  /** JSON report of counts (default `<out>.report.json`). */
  report?: string;
}

/** Language filter over a manifest: writes the kept records and a report. */
export async function runLanguageFilter(o: RunFilterBase & LanguageFilterOptions): Promise<FilterReport> {
  const all = await loadRecords(o.manifest);
  const r = await languageFilter(all, o);
  return finish('language', o.manifest, o.out, o.report, all, new Set(r.kept.map((x) => x.id)), { keep: o.keep ?? ['en'], languages: r.languages });
}

/**
 * Similarity filter over a manifest whose embeddings are in a LanceDB table (`runEmbedJob`):
 * records not in the table fail loudly (embed them first).
 */
export async function runSimilarityFilter(o: RunFilterBase & SimilarityFilterOptions & { db: string; table?: string; histogramPng?: string | false; examples?: number }): Promise<FilterReport> {
  checkSimilarityOptions(o);
  const all = await loadRecords(o.manifest);
  const store = await EmbeddingStore.openExisting(o.db, o.table ?? DEFAULT_TABLE);
  const rows = await store.all();
  const have = new Set(rows.map((r) => r.id));
  const missing = all.filter((r) => !have.has(r.id));
  if (missing.length) {
    throw new CurateConfigError(`${missing.length} record(s) of ${o.manifest} (first: "${missing[0]!.id}") have no embedding in table "${store.name}" of ${o.db}: run the embed job on this manifest first`);
  }
  const ids = new Set(all.map((r) => r.id));
  const r = similarityFilter(rows.filter((x) => ids.has(x.id)), o);
  const hist = histogram([...r.kept, ...r.dropped].map((s) => s.cosine), 40, -1, 1);
  const png = o.histogramPng === false ? null : await writeHistogramPng(o.histogramPng ?? `${resolve(o.out)}.histogram.png`, hist);
  // Examples at the threshold: the lowest-scoring kept pairs and the highest-scoring dropped ones.
  const nEx = o.examples ?? 5;
  const caption = new Map(all.map((x) => [x.id, x.webCaption ?? null]));
  const ex = (s: SimilarityScore) => ({ id: s.id, cosine: Number(s.cosine.toFixed(4)), caption: caption.get(s.id) ?? null });
  return finish('similarity', o.manifest, o.out, o.report, all, new Set(r.kept.map((x) => x.id)), {
    column: o.column ?? 'vector',
    threshold: o.threshold ?? null,
    topFraction: o.topFraction ?? null,
    cutoff: r.cutoff,
    imageOnly: r.imageOnly.length,
    histogram: hist,
    histogramPng: png,
    examplesAtThreshold: {
      keptLowest: [...r.kept].sort((a, b) => a.cosine - b.cosine || a.index - b.index).slice(0, nEx).map(ex),
      droppedHighest: [...r.dropped].sort((a, b) => b.cosine - a.cosine || a.index - b.index).slice(0, nEx).map(ex),
    },
  });
}

export interface RunDedupOptions extends RunFilterBase {
  db: string;
  table?: string;
  /** Within-pool threshold: cosine ≥ within joins two records (one kept per cluster). */
  within?: number;
  /** Eval-set threshold: a record with cosine ≥ against to any eval image is removed. */
  against?: number;
  /** The eval set's embeddings (needed with `against`): its LanceDB URI and table. */
  evalDb?: string;
  evalTable?: string;
  column?: ImageColumn;
}

/**
 * De-duplication of a manifest on its stored image embeddings: first against the eval set (when
 * `against` is given), then within what is left (when `within` is given). Writes kept JSONL + report.
 */
export async function runDedup(o: RunDedupOptions): Promise<FilterReport> {
  if (o.within === undefined && o.against === undefined) throw new CurateConfigError('de-duplication: give within, against, or both');
  if (o.against !== undefined && !o.evalDb) throw new CurateConfigError('de-duplication against an eval set needs evalDb (embed the eval images first)');
  const col = o.column ?? 'vector';
  const all = await loadRecords(o.manifest);
  const store = await EmbeddingStore.openExisting(o.db, o.table ?? DEFAULT_TABLE);
  const byId = new Map((await store.all()).map((r) => [r.id, r]));
  const missing = all.filter((r) => !byId.has(r.id));
  if (missing.length) throw new CurateConfigError(`${missing.length} record(s) of ${o.manifest} (first: "${missing[0]!.id}") have no embedding in ${o.db}: run the embed job first`);
  let pool = all.map((r) => byId.get(r.id)!);
  let removedEval = 0;
  const againstList: { id: string; evalId: string; cosine: number }[] = [];
  const withinList: { id: string; keptAs: string }[] = [];
  if (o.against !== undefined) {
    const ev = await EmbeddingStore.openExisting(o.evalDb!, o.evalTable ?? DEFAULT_TABLE);
    if (ev.dim !== store.dim) throw new CurateDimensionError(`eval table holds ${ev.dim}-d vectors but the pool ${store.dim}-d: embed both with the same model`);
    const evRows = await ev.all();
    const r = dedupAgainst(pool.map((p) => p[col]), evRows.map((e) => e[col]), o.against);
    removedEval = r.removed.length;
    againstList.push(...r.removed.map((x) => ({ id: pool[x.index]!.id, evalId: evRows[x.evalIndex]!.id, cosine: Number(x.cosine.toFixed(4)) })));
    pool = r.kept.map((i) => pool[i]!);
  }
  let clusters = 0;
  let removedWithin = 0;
  if (o.within !== undefined) {
    const r = dedupWithin(pool.map((p) => p[col]), o.within);
    withinList.push(...r.dropped.map((x) => ({ id: pool[x.index]!.id, keptAs: pool[x.keptAs]!.id })));
    clusters = r.clusters.length;
    removedWithin = r.dropped.length;
    pool = r.kept.map((i) => pool[i]!);
  }
  return finish('dedup', o.manifest, o.out, o.report, all, new Set(pool.map((p) => p.id)), {
    column: col,
    within: o.within ?? null,
    against: o.against ?? null,
    removedAgainstEval: removedEval,
    removedWithin,
    duplicateClusters: clusters,
    // What was removed: each record with the eval item it copies, or the kept record of its cluster.
    removed: { againstEval: againstList, within: withinList },
  });
}

export interface RunSelectOptions extends RunFilterBase {
  /** The pool's embeddings (the manifest's records). */
  db: string;
  table?: string;
  /** The query set's embeddings (the "curated" sets), embedded with the same model. */
  queryDb: string;
  queryTable?: string;
  /** Neighbours kept per query. */
  k: number;
  /** Build an IVF_FLAT index on the pool first (partitions ≈ √rows unless given). */
  index?: boolean | { partitions?: number };
  nprobes?: number;
  /** Measure ANN recall@k against exact search on the first `recallSample` queries (default 100; 0 = skip). */
  recallSample?: number;
}

/**
 * Selection by retrieval (DINOv2-style): keeps the `k` nearest pool records of each query. Uses the
 * pool table's ANN index when it has one, and reports that index's recall against exact search.
 */
export async function runSelect(o: RunSelectOptions): Promise<FilterReport> {
  const all = await loadRecords(o.manifest);
  const pool = await EmbeddingStore.openExisting(o.db, o.table ?? DEFAULT_TABLE);
  const q = await EmbeddingStore.openExisting(o.queryDb, o.queryTable ?? DEFAULT_TABLE);
  if (q.dim !== pool.dim) throw new CurateDimensionError(`query table holds ${q.dim}-d vectors but the pool ${pool.dim}-d: embed both with the same model`);
  if (o.index) await pool.createIndex(typeof o.index === 'object' ? o.index : {});
  const indexed = (await pool.indices()).some((i) => i.columns.includes('vector'));
  const queries = (await q.all()).map((r) => r.vector);
  const sel = await selectByRetrieval(pool, queries, o.k, { nprobes: o.nprobes });
  const sample = Math.min(o.recallSample ?? 100, queries.length);
  const recall = indexed && sample > 0 ? (await measureAnnRecall(pool, queries.slice(0, sample), o.k, { nprobes: o.nprobes })).recall : null;
  const inManifest = new Set(all.map((r) => r.id));
  const outside = sel.ids.filter((id) => !inManifest.has(id));
  if (outside.length) throw new CurateConfigError(`${outside.length} selected id(s) (first: "${outside[0]}") are in table "${pool.name}" of ${o.db} but not in ${o.manifest}: use the manifest the table was embedded from`);
  return finish('select', o.manifest, o.out, o.report, all, new Set(sel.ids), { queries: queries.length, k: o.k, indexed, nprobes: o.nprobes ?? null, annRecallAtK: recall, recallSample: recall === null ? 0 : sample });
}
