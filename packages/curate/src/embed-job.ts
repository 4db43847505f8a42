import { inShard, progressBar, type ProgressReporter, type ShardSpec } from '@tips/captioner';
import { checkImageExists, type Embedder } from './embedder';
import { CurateConfigError } from './errors';
import { readRecords, type CurateRecord } from './records';
import { DEFAULT_TABLE, EmbeddingStore, type EmbeddingRow } from './store';

export interface EmbedJobOptions {
  manifest: string;
  /** LanceDB URI: a folder, or s3://… / gs://… for one table shared by many machines. */
  db: string;
  table?: string;
  embedder: Embedder;
  /** Embed only records with index ≡ i (mod n). */
  shard?: ShardSpec;
  /** Records per batch: the unit committed to LanceDB (default 32). */
  batchSize?: number;
  /** Progress bar on stderr (default false), or your own reporter. */
  progress?: boolean | ProgressReporter;
  signal?: AbortSignal;
  /** Called after each committed batch (tests, logs). */
  onBatch?: (info: { committed: number; ids: string[] }) => void;
}

export interface EmbedJobSummary {
  db: string;
  table: string;
  shard: string;
  /** Records of the manifest in this shard. */
  shardRecords: number;
  /** Records embedded by this run. */
  embedded: number;
  /** Records found already in the table (a resumed run). */
  alreadyDone: number;
  /** Records without a web caption (image-only): stored with has_text = false. */
  imageOnly: number;
  rows: number;
  seconds: number;
  recordsPerSecond: number;
  aborted: boolean;
}

/**
 * Embeds a manifest's images (both CLS tokens) and web captions into a LanceDB table, with the
 * record ids. Resumable and exactly-once: the ids in the table are skipped, and each batch is one
 * LanceDB commit, so a killed run leaves whole batches only and a re-run fills the rest. Shards
 * (`i/n`) may run on many machines against the same table.
 */
export async function runEmbedJob(o: EmbedJobOptions): Promise<EmbedJobSummary> {
  const t0 = performance.now();
  const table = o.table ?? DEFAULT_TABLE;
  const batchSize = o.batchSize ?? 32;
  if (!(Number.isInteger(batchSize) && batchSize >= 1)) throw new CurateConfigError(`batch size must be an integer ≥ 1, not ${batchSize}`);
  const shard = o.shard ?? { index: 0, count: 1 };
  const store = await EmbeddingStore.open(o.db, table);
  store.checkDim(o.embedder.dim, o.embedder.name);
  const done = await store.ids();

  // Read (and validate) the whole shard first: a corrupt line fails before any work.
  const todo: CurateRecord[] = [];
  let shardRecords = 0;
  let alreadyDone = 0;
  for await (const r of readRecords(o.manifest)) {
    if (!inShard(r.index, shard)) continue;
    shardRecords++;
    if (done.has(r.id)) alreadyDone++;
    else todo.push(r);
  }
  const reporter: ProgressReporter | null = o.progress === true ? progressBar('embed') : o.progress ? o.progress : null;
  reporter?.start(todo.length);
  let embedded = 0;
  let imageOnly = 0;
  let aborted = false;
  try {
    for (let s = 0; s < todo.length; s += batchSize) {
      if (o.signal?.aborted) {
        aborted = true;
        break;
      }
      const batch = todo.slice(s, s + batchSize);
      for (const r of batch) await checkImageExists(r.image, `${o.manifest} line ${r.line} (id ${r.id})`);
      const images = await o.embedder.embedImages(batch.map((r) => r.image));
      const withText = batch.filter((r) => r.webCaption !== undefined);
      const texts = await o.embedder.embedTexts(withText.map((r) => r.webCaption!));
      const textOf = new Map(withText.map((r, i) => [r.id, texts[i]!]));
      const zero = new Float32Array(o.embedder.dim);
      const rows: EmbeddingRow[] = batch.map((r, i) => ({
        id: r.id,
        index: r.index,
        image: r.image,
        vector: images[i]!.cls1,
        vector2: images[i]!.cls2,
        textVector: textOf.get(r.id) ?? zero,
        hasText: textOf.has(r.id),
        caption: r.webCaption ?? null,
      }));
      await store.add(rows);
      embedded += batch.length;
      imageOnly += batch.length - withText.length;
      const sec = (performance.now() - t0) / 1000;
      reporter?.update({ done: embedded, total: todo.length, failed: 0, rate: embedded / sec, etaSeconds: ((todo.length - embedded) * sec) / embedded });
      o.onBatch?.({ committed: embedded, ids: batch.map((r) => r.id) });
    }
  } finally {
    reporter?.stop();
  }
  const seconds = (performance.now() - t0) / 1000;
  return {
    db: o.db,
    table,
    shard: `${shard.index}/${shard.count}`,
    shardRecords,
    embedded,
    alreadyDone,
    imageOnly,
    rows: await store.count(),
    seconds,
    recordsPerSecond: Number((embedded / Math.max(seconds, 1e-9)).toFixed(2)),
    aborted,
  };
}
