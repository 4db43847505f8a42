#!/usr/bin/env node
// @tips/data benchmarks → one JSON object on stdout (progress on stderr).
//   npm run build -w @tips/data && npm run bench -w @tips/data [filter]
// filter: 'loader' (decode + TIPS views throughput, in-process vs worker threads) or 'generate'
// (built-in scene generation rate). Uses the built package (dist/).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir, cpus } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { createTipsLoader, generateScenes, listSource, renderScene } from '../dist/index.js';

const filter = process.argv[2] ?? '';
const log = (m) => process.stderr.write(`[bench @tips/data] ${m}\n`);
const tmp = mkdtempSync(join(tmpdir(), 'tips-data-bench-'));
const results = {};

async function makeImages(n, width, height, format) {
  const items = [];
  for (let i = 0; i < n; i++) {
    const s = renderScene('bench', 'bench', i, { width, height });
    const img = sharp(s.raster.rgb, { raw: { width, height, channels: 3 } });
    const bytes = format === 'jpeg' ? await img.jpeg({ quality: 90 }).toBuffer() : await img.png().toBuffer();
    const path = join(tmp, `${width}x${height}-${i}.${format === 'jpeg' ? 'jpg' : 'png'}`);
    writeFileSync(path, bytes);
    items.push({ image: path, webCaption: s.webCaption, syntheticCaptions: s.syntheticCaptions, label: s.label });
  }
  return items;
}

async function loaderRate(items, numWorkers, images) {
  const loader = createTipsLoader({
    source: listSource(items, { seed: 1 }),
    batchSize: 32,
    seed: 1,
    numWorkers,
    prefetch: 2,
    mask: { ratio: [0.1, 0.5] },
  });
  let n = 0;
  let t0 = 0;
  let warm = 0;
  for await (const b of loader) {
    if (warm === 0) {
      t0 = performance.now(); // first batch includes worker start-up
      warm = b.size;
      continue;
    }
    n += b.size;
    if (n >= images) break;
  }
  const s = (performance.now() - t0) / 1000;
  return { images: n, seconds: +s.toFixed(3), imagesPerSecond: +(n / s).toFixed(1) };
}

try {
  if (!filter || 'loader'.includes(filter)) {
    const views = '1 global 224 (scale 0.32–1) + 6 local 98 (scale 0.05–0.32), flips, random patch mask, batch 32';
    const sets = {
      'png 224x224 (built-in scenes)': await makeImages(64, 224, 224, 'png'),
      'jpeg 512x384 (web-photo size)': await makeImages(64, 512, 384, 'jpeg'),
    };
    const out = { views };
    for (const [name, items] of Object.entries(sets)) {
      out[name] = {};
      for (const w of [0, 1, 2]) {
        log(`loader ${name}, ${w} worker threads…`);
        out[name][w === 0 ? 'in-process' : `${w} worker thread${w > 1 ? 's' : ''}`] = await loaderRate(items, w, 256);
      }
    }
    results.loader = out;
  }
  if (!filter || 'generate'.includes(filter)) {
    log('generate 300 scenes (224², PNG image + mask + 16-bit depth, manifest)…');
    const r = await generateScenes({ out: join(tmp, 'scenes'), count: 300, seed: 1 });
    const t = performance.now();
    for (let i = 0; i < 200; i++) renderScene(2, 'bench', i);
    const renderMs = (performance.now() - t) / 200;
    results.generate = {
      scenes: r.count,
      seconds: +r.seconds.toFixed(2),
      scenesPerSecond: +r.scenesPerSecond.toFixed(1),
      scenesPerMinute: Math.round(r.scenesPerSecond * 60),
      renderOnlyMsPerScene: +renderMs.toFixed(2),
    };
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
process.stdout.write(
  JSON.stringify({ package: '@tips/data', node: process.version, cpus: availableParallelism(), cpu: cpus()[0]?.model, results }, null, 2) + '\n',
);
