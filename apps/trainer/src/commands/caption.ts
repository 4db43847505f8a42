import type { Command } from 'commander';
import {
  BACKENDS,
  CaptionConfigError,
  DEFAULT_MAX_TOKENS,
  JsonlLog,
  createRecordCaptioner,
  mergeCaptionShards,
  parseGranularities,
  parseShard,
  runCaptionJob,
  type BackendName,
  type Granularity,
  type PromptStyle,
} from '@tips/captioner';
import { parseIntOption } from '../io/cli-numbers';

interface CaptionCliOptions {
  manifest: string;
  out: string;
  backend?: string;
  baseUrl?: string;
  model?: string;
  apiKeyEnv: string;
  concurrency: string;
  timeout: string;
  retries: string;
  maxImageSide?: string;
  device?: string;
  dtype?: string;
  allowRemote?: boolean;
  shard?: string;
  granularity: string;
  promptStyle: string;
  prompt?: string;
  maxTokens?: string;
  batchSize: string;
  parallelBatches?: string;
  retryFailed?: boolean;
  failures?: string;
  log?: string;
  progress: boolean;
}

const int = (flag: string, text: string, min: number): number => parseIntOption(flag, text, min, (m) => new CaptionConfigError(`${m}.`));

async function caption(o: CaptionCliOptions, globalBackend: string | undefined): Promise<void> {
  // The program has a global --backend (tfjs); commander hands `caption --backend X` to it, so read both.
  const backend = (o.backend ?? globalBackend) as BackendName | undefined;
  if (!backend || !(BACKENDS as readonly string[]).includes(backend)) {
    throw new CaptionConfigError(`tips caption needs --backend ${BACKENDS.join('|')}${backend ? `, not '${backend}'` : ''}.`);
  }
  const granularities = parseGranularities(o.granularity);
  if (o.promptStyle !== 'instruct' && o.promptStyle !== 'paligemma') throw new CaptionConfigError(`--prompt-style must be instruct or paligemma, not '${o.promptStyle}'.`);
  if (o.prompt !== undefined && granularities.length !== 1) {
    throw new CaptionConfigError('--prompt replaces the prompt of a single granularity: give exactly one --granularity with it.');
  }
  const concurrency = int('concurrency', o.concurrency, 1);
  const batchSize = int('batch-size', o.batchSize, 1);
  const maxTokens = o.maxTokens !== undefined ? int('max-tokens', o.maxTokens, 1) : undefined;
  const logPath = o.log ?? `${o.out}.log.jsonl`;
  const log = new JsonlLog(logPath);
  const captioner = createRecordCaptioner({
    backend,
    model: o.model,
    baseUrl: o.baseUrl,
    apiKeyEnv: o.apiKeyEnv,
    concurrency,
    timeoutMs: int('timeout', o.timeout, 1) * 1000,
    retries: int('retries', o.retries, 0),
    maxImageSide: o.maxImageSide !== undefined ? int('max-image-side', o.maxImageSide, 16) : undefined,
    device: o.device,
    dtype: o.dtype,
    allowRemoteModels: o.allowRemote,
    promptStyle: o.promptStyle as PromptStyle,
    prompts: o.prompt !== undefined ? { [granularities[0]!]: o.prompt } : undefined,
    maxTokens: maxTokens !== undefined ? Object.fromEntries(granularities.map((g) => [g, maxTokens])) : undefined,
    onRetry: (e) => log.write('retry', { ...e }),
  });
  // Keep the HTTP pool busy: enough batches in flight to fill `concurrency` requests.
  const parallelBatches =
    o.parallelBatches !== undefined ? int('parallel-batches', o.parallelBatches, 1) : backend === 'openai' ? Math.max(1, Math.ceil((2 * concurrency) / batchSize)) : 1;

  const ac = new AbortController();
  const onSigint = (): void => {
    if (ac.signal.aborted) process.exit(130);
    process.stderr.write('\ntips caption: stopping after the batches in flight (Ctrl-C again to quit now)…\n');
    ac.abort(new Error('interrupted'));
  };
  process.on('SIGINT', onSigint);
  try {
    const summary = await runCaptionJob({
      manifest: o.manifest,
      out: o.out,
      captioner,
      granularities: granularities as Granularity[],
      shard: o.shard ? parseShard(o.shard) : undefined,
      batchSize,
      parallelBatches,
      retryFailed: o.retryFailed,
      failuresPath: o.failures,
      logPath,
      progress: o.progress,
      signal: ac.signal,
    });
    const failed = summary.failed;
    process.stderr.write(
      `tips caption ${summary.shard}: ${summary.captioned} captioned, ${failed.length} failed, ${summary.alreadyDone} already done ` +
        `(${summary.shardRecords} in shard) in ${summary.seconds.toFixed(1)}s, ${summary.recordsPerSecond} rec/s → ${summary.out}\n`,
    );
    if (failed.length) {
      const shown = failed.slice(0, 10).map((f) => `  ${f.id}: ${f.message}`).join('\n');
      process.stderr.write(`failures (${failed.length}, listed in ${summary.failuresPath}; re-run with --retry-failed):\n${shown}${failed.length > 10 ? '\n  …' : ''}\n`);
    }
    process.stdout.write(`${JSON.stringify({ ...summary, failed: failed.length, failed_ids: failed.map((f) => f.id) })}\n`);
    if (summary.aborted || failed.length) process.exitCode = 2;
  } finally {
    process.off('SIGINT', onSigint);
    await captioner.close?.();
  }
}

/**
 * `tips caption`: synthetic captions for a JSONL manifest with a VLM server (OpenAI-compatible), a
 * local transformers.js model or annotation templates; resumable, sharded, with a merge subcommand.
 */
export function registerCaption(program: Command): void {
  const group = program
    .command('caption')
    .description('synthetic captions for a JSONL manifest: `tips caption [run] --manifest … --out … --backend …` (resumable, --shard i/n), `tips caption merge`');
  group
    .command('run', { isDefault: true })
    .description('write synthetic captions for a JSONL manifest (resumable; --shard i/n for many machines; `tips caption merge` joins shards)')
    .requiredOption('--manifest <file>', 'input JSONL manifest (one object per line with "image", usually "id")')
    .requiredOption('--out <file>', 'output JSONL (input records + synthetic_caption + caption_provenance); re-running resumes')
    .option('--backend <name>', `caption backend: ${BACKENDS.join(', ')}`)
    .option('--base-url <url>', 'openai: base URL of an OpenAI-compatible API, e.g. http://127.0.0.1:8000/v1 (vLLM), http://127.0.0.1:11434/v1 (Ollama)')
    .option('--model <name>', 'openai: model name on the server; transformers: local model folder')
    .option('--api-key-env <var>', 'openai: environment variable holding the API key (never logged)', 'OPENAI_API_KEY')
    .option('--concurrency <n>', 'openai: requests in flight', '4')
    .option('--timeout <s>', 'openai: per-request timeout in seconds', '120')
    .option('--retries <n>', 'openai: retries on 429/5xx/timeouts/network errors (exponential back-off, Retry-After honoured)', '4')
    .option('--max-image-side <px>', 'openai: shrink larger images to this longer side before sending')
    .option('--device <name>', 'transformers: ONNX Runtime device (cpu, cuda, dml, webgpu, auto)')
    .option('--dtype <name>', 'transformers: weights variant (fp32, fp16, q8, q4 …)')
    .option('--allow-remote', 'transformers: allow downloading missing model files from the Hugging Face Hub')
    .option('--shard <i/n>', 'caption only records with index ≡ i (mod n), e.g. 0/4')
    .option('--granularity <list>', 'caption granularities, comma-separated: short, detailed, spatial', 'short')
    .option('--prompt-style <style>', 'default prompts: instruct (chat VLMs) or paligemma ("caption en" / "describe en")', 'instruct')
    .option('--prompt <text>', 'replace the prompt (with exactly one --granularity)')
    .option('--max-tokens <n>', `max new tokens per caption (default per granularity: ${JSON.stringify(DEFAULT_MAX_TOKENS)})`)
    .option('--batch-size <n>', 'records per batch (the unit written atomically)', '16')
    .option('--parallel-batches <n>', 'batches in flight (default: enough to fill --concurrency for openai, else 1)')
    .option('--retry-failed', 'caption only the records listed in the failures file of the last run')
    .option('--failures <file>', 'failures file (default <out>.failures.jsonl)')
    .option('--log <file>', 'JSONL log (default <out>.log.jsonl)')
    .option('--no-progress', 'no progress bar')
    .action(async (opts: CaptionCliOptions) => caption(opts, program.opts().backend as string | undefined));

  group
    .command('merge')
    .description('merge shard outputs into one JSONL in manifest order, one line per id')
    .argument('<outputs...>', 'shard output files')
    .requiredOption('--into <file>', 'merged output file (written atomically)')
    .option('--manifest <file>', 'check that every manifest record has a caption')
    .option('--require-complete', 'fail when records are missing (with --manifest)')
    .action(async (outputs: string[], o: { into: string; manifest?: string; requireComplete?: boolean }) => {
      const r = await mergeCaptionShards(outputs, o.into, { manifest: o.manifest, requireComplete: o.requireComplete });
      process.stderr.write(
        `tips caption merge: ${r.records} records from ${outputs.length} file(s) → ${r.dest}` +
          `${r.duplicates.length ? `; ${r.duplicates.length} duplicate id(s) dropped` : ''}${o.manifest ? `; ${r.missing.length} manifest record(s) missing` : ''}\n`,
      );
      process.stdout.write(`${JSON.stringify({ ...r, duplicates: r.duplicates.length, missing: r.missing.length, missing_ids: r.missing.slice(0, 1000) })}\n`);
      if (r.missing.length) process.exitCode = 2;
    });
}
