// Benchmarks of @tips/captioner (built dist): template captions/s, HTTP backend captions/s against the
// in-process OpenAI-compatible test server, and the tiny transformers.js model. Prints one JSON object
// to stdout; progress goes to stderr. Usage: node bench/run.mjs [filter: template|http|transformers|job]
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { generateScenes } from '@tips/data';
import {
  OpenAICaptioner,
  TemplateCaptioner,
  TransformersCaptioner,
  imageRecordCaptioner,
  manifestRecords,
  runCaptionJob,
  startChatServer,
} from '../dist/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const filter = process.argv[2] ?? '';
const want = (name) => !filter || name.includes(filter);
const log = (...a) => console.error('[captioner bench]', ...a);
const results = {};
const dir = await mkdtemp(join(tmpdir(), 'capt-bench-'));

async function timeIt(fn, minSeconds = 1) {
  await fn(); // warm-up (JIT, sessions, sockets)
  let n = 0;
  const t0 = performance.now();
  let items = 0;
  while ((performance.now() - t0) / 1000 < minSeconds || n < 1) {
    items += await fn();
    n++;
  }
  const s = (performance.now() - t0) / 1000;
  return { items, seconds: Math.round(s * 1000) / 1000, perSecond: Math.round((items / s) * 10) / 10 };
}

try {
  if (want('template') || want('job')) {
    log('generating 200 scenes (96×96)…');
    await generateScenes({ out: dir, count: 200, seed: 1, width: 96, height: 96, concurrency: 2 });
    const records = [];
    for await (const r of manifestRecords(join(dir, 'train.jsonl'))) records.push(r);
    const t = new TemplateCaptioner();
    if (want('template')) {
      for (const g of ['short', 'detailed', 'spatial']) {
        results[`template_${g}_captions_per_s`] = (await timeIt(async () => (await t.captionRecords(records, g)).length)).perSecond;
      }
    }
    if (want('job')) {
      const r = await runCaptionJob({ manifest: join(dir, 'train.jsonl'), out: join(dir, 'job.jsonl'), captioner: t, granularities: ['short', 'detailed', 'spatial'], batchSize: 32, logPath: null });
      results.job_template_3_granularities_records_per_s = r.recordsPerSecond;
    }
  }

  if (want('http')) {
    const images = [];
    for (let i = 0; i < 200; i++) {
      images.push(new Uint8Array(await sharp({ create: { width: 64, height: 64, channels: 3, background: { r: i, g: 255 - i, b: 100 } } }).png().toBuffer()));
    }
    for (const delayMs of [0, 20]) {
      const server = await startChatServer({ delayMs });
      for (const concurrency of [1, 4, 16]) {
        const c = new OpenAICaptioner({ baseUrl: server.baseUrl, model: 'test-vlm', concurrency });
        const r = await timeIt(async () => (await c.caption(images, { prompt: 'caption en\n', maxTokens: 32 })).length, 0.5);
        results[`http_server_delay${delayMs}ms_concurrency${concurrency}_captions_per_s`] = r.perSecond;
        log(`http delay ${delayMs} ms, concurrency ${concurrency}: ${r.perSecond}/s (max in flight ${server.maxInFlight})`);
      }
      await server.close();
    }
  }

  if (want('transformers')) {
    const fixture = join(here, '..', 'test-data', 'tiny-captioner');
    const expected = JSON.parse(await readFile(join(fixture, 'expected.json'), 'utf8'));
    const paths = expected.cases.map((c) => join(fixture, c.image));
    const images = Array.from({ length: 32 }, (_, i) => paths[i % paths.length]);
    for (const batchSize of [1, 8, 32]) {
      const c = new TransformersCaptioner({ modelDir: join(fixture, 'model'), batchSize });
      await c.load();
      const r = await timeIt(async () => (await c.caption(images, { prompt: '', maxTokens: 10 })).length);
      results[`transformers_tiny_batch${batchSize}_captions_per_s`] = r.perSecond;
      log(`transformers tiny model, batch ${batchSize}: ${r.perSecond}/s`);
      await c.close();
    }
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}
process.stdout.write(`${JSON.stringify({ package: '@tips/captioner', node: process.version, ...results })}\n`);
