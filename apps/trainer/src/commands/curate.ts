import type { Command } from 'commander';
import { CurateConfigError, SdkEmbedder, runDedup, runEmbedJob, runLanguageFilter, runSelect, runSimilarityFilter, type ImageColumn } from '@tips/curate';
import { parseShard } from '@tips/captioner';
import { parseIntOption, parseNumberOption } from '../io/cli-numbers';

const num = (flag: string, text: string | undefined): number | undefined => (text === undefined ? undefined : parseNumberOption(flag, text, (m) => new CurateConfigError(`${m}.`)));
const column = (c: string): ImageColumn => {
  if (c !== 'vector' && c !== 'vector2') throw new CurateConfigError(`--column must be vector (CLS 0) or vector2 (CLS 1), not '${c}'.`);
  return c;
};
const print = (x: unknown) => process.stdout.write(`${JSON.stringify(x, null, 2)}\n`);

/** `tips curate embed|language|similarity|dedup|select`: the @tips/curate filters on a JSONL manifest. */
export function registerCurate(program: Command): void {
  const group = program.command('curate').description('Data curation: embed a manifest into LanceDB, then filter by language, image-text similarity, duplicates.');

  group
    .command('embed')
    .description('Embed images (both CLS tokens) and web captions of a manifest into a LanceDB table; re-runs skip stored ids.')
    .requiredOption('--manifest <file>', 'JSONL manifest')
    .requiredOption('--db <uri>', 'LanceDB folder (or s3://… / gs://…)')
    .requiredOption('--vision <ckpt>', 'vision checkpoint or ONNX export (as for tips embed)')
    .requiredOption('--text <ckpt>', 'text checkpoint or ONNX export')
    .option('--tokenizer <file>', 'SentencePiece tokenizer.model')
    .option('--variant <name>', 'model variant')
    .option('--table <name>', 'table name', 'embeddings')
    .option('--shard <i/n>', 'embed only records with index ≡ i (mod n)')
    .option('--batch-size <n>', 'records per committed batch', '32')
    .option('--no-progress', 'no progress bar')
    .action(async (o: { manifest: string; db: string; vision: string; text: string; tokenizer?: string; variant?: string; table: string; shard?: string; batchSize: string; progress: boolean }) => {
      const embedder = await SdkEmbedder.load({ vision: o.vision, text: o.text, tokenizer: o.tokenizer, variant: o.variant });
      try {
        print(await runEmbedJob({ manifest: o.manifest, db: o.db, table: o.table, embedder, shard: o.shard ? parseShard(o.shard) : undefined, batchSize: parseIntOption('batch-size', o.batchSize, 1, (m) => new CurateConfigError(`${m}.`)), progress: o.progress }));
      } finally {
        await embedder.close();
      }
    });

  group
    .command('language')
    .description('Keep records whose web caption is in one of --keep (eld detector).')
    .requiredOption('--manifest <file>', 'JSONL manifest')
    .requiredOption('--out <file>', 'kept records, JSONL')
    .option('--report <file>', 'JSON report (default <out>.report.json)')
    .option('--keep <codes>', 'ISO 639-1 codes, comma-separated', 'en')
    .option('--keep-image-only', 'keep records without a web caption')
    .action(async (o: { manifest: string; out: string; report?: string; keep: string; keepImageOnly?: boolean }) => {
      print(await runLanguageFilter({ manifest: o.manifest, out: o.out, report: o.report, keep: o.keep.split(',').map((s) => s.trim()).filter(Boolean), keepImageOnly: o.keepImageOnly }));
    });

  group
    .command('similarity')
    .description('Keep image-text pairs with cosine ≥ --threshold, or the best --top fraction (embeddings from tips curate embed).')
    .requiredOption('--manifest <file>', 'JSONL manifest')
    .requiredOption('--db <uri>', 'LanceDB folder')
    .requiredOption('--out <file>', 'kept records, JSONL')
    .option('--table <name>', 'table name', 'embeddings')
    .option('--report <file>', 'JSON report (default <out>.report.json)')
    .option('--threshold <cos>', 'keep cosine ≥ this')
    .option('--top <fraction>', 'keep this fraction, best first')
    .option('--column <name>', 'image embedding: vector (CLS 0) or vector2 (CLS 1)', 'vector')
    .action(async (o: { manifest: string; db: string; out: string; table: string; report?: string; threshold?: string; top?: string; column: string }) => {
      print(await runSimilarityFilter({ manifest: o.manifest, db: o.db, table: o.table, out: o.out, report: o.report, threshold: num('threshold', o.threshold), topFraction: num('top', o.top), column: column(o.column) }));
    });

  group
    .command('dedup')
    .description('Remove records near an eval set (--against) and near-duplicates within the pool (--within).')
    .requiredOption('--manifest <file>', 'JSONL manifest')
    .requiredOption('--db <uri>', 'LanceDB folder')
    .requiredOption('--out <file>', 'kept records, JSONL')
    .option('--table <name>', 'table name', 'embeddings')
    .option('--report <file>', 'JSON report (default <out>.report.json)')
    .option('--within <cos>', 'within-pool threshold')
    .option('--against <cos>', 'eval-set threshold (with --eval-db)')
    .option('--eval-db <uri>', 'LanceDB folder holding the eval set embeddings')
    .option('--eval-table <name>', 'eval table name', 'embeddings')
    .option('--column <name>', 'image embedding: vector (CLS 0) or vector2 (CLS 1)', 'vector')
    .action(async (o: { manifest: string; db: string; out: string; table: string; report?: string; within?: string; against?: string; evalDb?: string; evalTable: string; column: string }) => {
      print(await runDedup({ manifest: o.manifest, db: o.db, table: o.table, out: o.out, report: o.report, within: num('within', o.within), against: num('against', o.against), evalDb: o.evalDb, evalTable: o.evalTable, column: column(o.column) }));
    });


  group
    .command('select')
    .description('Keep the --k nearest pool records of each query (the curated sets), through LanceDB vector search.')
    .requiredOption('--manifest <file>', 'pool manifest (the one embedded into --db)')
    .requiredOption('--db <uri>', 'LanceDB folder of the pool')
    .requiredOption('--query-db <uri>', 'LanceDB folder of the query set (tips curate embed on the query manifest)')
    .requiredOption('--k <n>', 'neighbours kept per query')
    .requiredOption('--out <file>', 'kept records, JSONL')
    .option('--table <name>', 'pool table name', 'embeddings')
    .option('--query-table <name>', 'query table name', 'embeddings')
    .option('--report <file>', 'JSON report (default <out>.report.json)')
    .option('--index', 'build an IVF_FLAT index on the pool first')
    .option('--partitions <n>', 'IVF partitions (default ≈ √rows)')
    .option('--nprobes <n>', 'IVF partitions probed per query')
    .option('--recall-sample <n>', 'queries used to measure ANN recall vs exact search (0 = skip)', '100')
    .action(async (o: { manifest: string; db: string; queryDb: string; k: string; out: string; table: string; queryTable: string; report?: string; index?: boolean; partitions?: string; nprobes?: string; recallSample: string }) => {
      const int = (flag: string, v: string, min: number) => parseIntOption(flag, v, min, (m) => new CurateConfigError(`${m}.`));
      const partitions = o.partitions !== undefined ? int('partitions', o.partitions, 1) : undefined;
      print(
        await runSelect({
          manifest: o.manifest, db: o.db, table: o.table, queryDb: o.queryDb, queryTable: o.queryTable, k: int('k', o.k, 1), out: o.out, report: o.report,
          index: o.index || partitions !== undefined ? { partitions } : false,
          nprobes: o.nprobes !== undefined ? int('nprobes', o.nprobes, 1) : undefined,
          recallSample: int('recall-sample', o.recallSample, 0),
        }),
      );
    });
}
