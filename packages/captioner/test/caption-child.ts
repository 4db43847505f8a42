// A caption job in its own process (spawned and SIGKILLed by the resume/shard tests).
// Usage: node caption-child.cjs '<json options>'
import { OpenAICaptioner } from '../src/backends/openai';
import { runCaptionJob } from '../src/job/run-caption-job';
import { imageRecordCaptioner } from '../src/record-captioner';

interface ChildOptions {
  manifest: string;
  out: string;
  baseUrl: string;
  shard?: { index: number; count: number };
  batchSize?: number;
  parallelBatches?: number;
  concurrency?: number;
}

async function main(): Promise<void> {
  const o = JSON.parse(process.argv[2]!) as ChildOptions;
  const captioner = imageRecordCaptioner(
    new OpenAICaptioner({ baseUrl: o.baseUrl, model: 'test-vlm', concurrency: o.concurrency ?? 2, retry: { baseDelayMs: 10, maxDelayMs: 200 } }),
  );
  const summary = await runCaptionJob({
    manifest: o.manifest,
    out: o.out,
    captioner,
    shard: o.shard,
    batchSize: o.batchSize ?? 4,
    parallelBatches: o.parallelBatches ?? 1,
  });
  process.stdout.write(`${JSON.stringify({ ...summary, failed: summary.failed.length })}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
