import * as lancedb from '@lancedb/lancedb';
import { Bool, Field, FixedSizeList, Float32, Int32, Schema, Utf8 } from 'apache-arrow';
import { CurateConfigError, CurateDimensionError } from './errors';

/** One stored embedding row. Vectors are L2-normalised, so cosine = dot product. */
export interface EmbeddingRow {
  id: string;
  /** Record index in the manifest the row came from. */
  index: number;
  image: string;
  /** Image embedding from CLS token 0 (the one trained against web captions). */
  vector: Float32Array;
  /** Image embedding from CLS token 1 (the one trained against synthetic captions). */
  vector2: Float32Array;
  /** Web-caption embedding; all zeros when hasText is false (image-only records). */
  textVector: Float32Array;
  hasText: boolean;
  caption: string | null;
}

export const DEFAULT_TABLE = 'embeddings';

function schemaFor(dim: number): Schema {
  const vec = (name: string) => new Field(name, new FixedSizeList(dim, new Field('item', new Float32(), true)), false);
  return new Schema([
    new Field('id', new Utf8(), false),
    new Field('index', new Int32(), false),
    new Field('image', new Utf8(), false),
    vec('vector'),
    vec('vector2'),
    vec('text_vector'),
    new Field('has_text', new Bool(), false),
    new Field('caption', new Utf8(), true),
  ]);
}

function vectorDim(schema: Schema, table: string, dir: string): number {
  const f = schema.fields.find((x) => x.name === 'vector');
  // Duck-typed, not instanceof: LanceDB loads apache-arrow's CommonJS build, an ESM caller the other.
  if (!f || typeof (f.type as { listSize?: unknown }).listSize !== 'number') {
    throw new CurateDimensionError(`table "${table}" in ${dir} has no fixed-size "vector" column: it was not written by tips curate embed; pick another --table`);
  }
  return (f.type as unknown as FixedSizeList).listSize;
}

const toF32 = (v: unknown): Float32Array => {
  if (v instanceof Float32Array) return v;
  const a = v as { toArray?: () => ArrayLike<number> } & ArrayLike<number>;
  return Float32Array.from(typeof a.toArray === 'function' ? a.toArray() : a);
};

function fromArrow(r: Record<string, unknown>): EmbeddingRow {
  return {
    id: String(r.id),
    index: Number(r.index),
    image: String(r.image),
    vector: toF32(r.vector),
    vector2: toF32(r.vector2),
    textVector: toF32(r.text_vector),
    hasText: Boolean(r.has_text),
    caption: (r.caption as string | null) ?? null,
  };
}

/**
 * The embeddings of one manifest in a LanceDB table (embedded, on disk; a `s3://…` or `gs://…` URI
 * works the same way). Each `add` is one Lance commit: a batch is stored whole or not at all, which
 * is what makes the embed job's resume exactly-once.
 */
export class EmbeddingStore {
  private constructor(
    readonly uri: string,
    readonly name: string,
    private readonly db: lancedb.Connection,
    private table: lancedb.Table | null,
    private dimension: number | null,
  ) {}

  /** Opens (or prepares to create) table `name` under `uri`. */
  static async open(uri: string, name = DEFAULT_TABLE): Promise<EmbeddingStore> {
    const db = await lancedb.connect(uri);
    const names = await db.tableNames();
    if (!names.includes(name)) return new EmbeddingStore(uri, name, db, null, null);
    const table = await db.openTable(name);
    return new EmbeddingStore(uri, name, db, table, vectorDim(await table.schema(), name, uri));
  }

  /** Opens an existing table, or fails naming the command that makes it. */
  static async openExisting(uri: string, name = DEFAULT_TABLE): Promise<EmbeddingStore> {
    const s = await EmbeddingStore.open(uri, name);
    if (!s.table) throw new CurateConfigError(`no table "${name}" in ${uri}: run \`tips curate embed --db ${uri} --table ${name} …\` first`);
    return s;
  }

  get exists(): boolean {
    return this.table !== null;
  }

  get dim(): number | null {
    return this.dimension;
  }

  /** Fails with CurateDimensionError when the table holds vectors of another width. */
  checkDim(dim: number, model = 'the model'): void {
    if (this.dimension !== null && this.dimension !== dim) {
      throw new CurateDimensionError(
        `table "${this.name}" in ${this.uri} holds ${this.dimension}-d embeddings but ${model} gives ${dim}-d: embed with the checkpoint that made the table, or use another --table`,
      );
    }
  }

  /** Ids already stored. */
  async ids(): Promise<Set<string>> {
    if (!this.table) return new Set();
    const rows = await this.table.query().select(['id']).toArray();
    return new Set(rows.map((r: Record<string, unknown>) => String(r.id)));
  }

  async count(): Promise<number> {
    return this.table ? this.table.countRows() : 0;
  }

  /** Appends rows as one commit (creating the table on the first call). */
  async add(rows: EmbeddingRow[]): Promise<void> {
    if (!rows.length) return;
    const dim = rows[0]!.vector.length;
    this.checkDim(dim);
    const data = rows.map((r) => {
      for (const [k, v] of [['vector', r.vector], ['vector2', r.vector2], ['text_vector', r.textVector]] as const) {
        if (v.length !== dim) throw new CurateDimensionError(`record "${r.id}": ${k} has ${v.length} values, expected ${dim}`);
      }
      return { id: r.id, index: r.index, image: r.image, vector: Array.from(r.vector), vector2: Array.from(r.vector2), text_vector: Array.from(r.textVector), has_text: r.hasText, caption: r.caption };
    });
    if (!this.table) {
      try {
        this.table = await this.db.createTable(this.name, data, { schema: schemaFor(dim), mode: 'create' });
      } catch (e) {
        // Another shard created it first: open it and append.
        if (!(await this.db.tableNames()).includes(this.name)) throw e;
        this.table = await this.db.openTable(this.name);
        this.dimension = vectorDim(await this.table.schema(), this.name, this.uri);
        this.checkDim(dim);
        await this.table.add(data);
      }
      this.dimension = dim;
      return;
    }
    await this.table.add(data);
  }

  /** Every row, sorted by manifest index. */
  async all(): Promise<EmbeddingRow[]> {
    if (!this.table) return [];
    const rows = await this.table.query().toArray();
    return rows.map(fromArrow).sort((a: EmbeddingRow, b: EmbeddingRow) => a.index - b.index);
  }

  private need(): lancedb.Table {
    if (!this.table) throw new CurateConfigError(`no table "${this.name}" in ${this.uri}: run \`tips curate embed\` first`);
    return this.table;
  }

  /**
   * Builds an ANN index on `vector` (IVF with flat vectors, cosine). `partitions` defaults to
   * about √rows, LanceDB's rule of thumb.
   */
  async createIndex(options: { partitions?: number; column?: 'vector' | 'vector2' } = {}): Promise<void> {
    const t = this.need();
    const n = await t.countRows();
    const partitions = options.partitions ?? Math.max(1, Math.round(Math.sqrt(n)));
    if (!(Number.isInteger(partitions) && partitions >= 1 && partitions <= n)) {
      throw new CurateConfigError(`cannot build an IVF index with ${partitions} partitions on ${n} rows: use 1 ≤ partitions ≤ rows (small tables need no index: search is exact)`);
    }
    await t.createIndex(options.column ?? 'vector', { config: lancedb.Index.ivfFlat({ numPartitions: partitions, distanceType: 'cosine' }), replace: true });
  }

  /** Names and columns of the table's indices (empty before createIndex). */
  async indices(): Promise<{ name: string; columns: string[]; indexType: string }[]> {
    if (!this.table) return [];
    return (await this.table.listIndices()).map((i) => ({ name: i.name, columns: i.columns, indexType: String(i.indexType) }));
  }

  /**
   * The k nearest rows of `query` by cosine on `vector`: through the ANN index (probing `nprobes`
   * partitions), or by exact flat search when `exact`.
   */
  async search(query: Float32Array, k: number, options: { exact?: boolean; nprobes?: number; column?: 'vector' | 'vector2' } = {}): Promise<{ id: string; index: number; cosine: number }[]> {
    let q = this.need().vectorSearch(Array.from(query)).column(options.column ?? 'vector').distanceType('cosine').limit(k).select(['id', 'index', '_distance']);
    if (options.exact) q = q.bypassVectorIndex();
    else if (options.nprobes) q = q.nprobes(options.nprobes);
    const rows = await q.toArray();
    return rows.map((r: Record<string, unknown>) => ({ id: String(r.id), index: Number(r.index), cosine: 1 - Number(r._distance) }));
  }
}
