import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { fixture } from '../../../test-utils/fixtures';

// End to end: build the demo with esbuild, export a small TIPS pair (the official-tiny fixture
// weights: a 32-wide image tower at 56×56 and the 32-wide text tower, with the SDK's tiny
// SentencePiece model), serve it on 127.0.0.1 (onnxruntime-web's wasm files from the same server),
// open it in headless Debian Chromium, drop a picture, type labels, and check the scores and the
// PCA map against @tips/sdk in Node (onnxruntime-node) on the same picture. Screenshot:
// test-artifacts/web-demo.png at the repository root.
const here = resolve(__dirname, '..');
const repo = resolve(here, '..', '..');
const tiny = (f: string) => fixture('official-tiny', f);
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
// The picture is 84×56: the page and Node both resize it to the model's 56×56 (Pillow bilinear).
const PICTURE = tiny('tiny_mlp_image_2.png');
const LABELS = 'a cat, a dog, two cows, a red car';
const TEMPLATE = 'a photo of {}.';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { serve } = require('../server.cjs') as { serve: (root: string, port?: number) => Promise<{ server: Server; url: string }> };

interface PageScore {
  label: string;
  score: number;
  similarity: number;
}

let server: Server;
let url: string;
let context: BrowserContext;
let page: Page;
const pageErrors: string[] = [];
const profile = mkdtempSync(join(tmpdir(), 'tips-demo-chromium-'));

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: install Debian's chromium (apt-get install chromium) or set CHROMIUM_PATH`);
  execFileSync(process.execPath, [join(here, 'build.mjs')], { cwd: here, stdio: 'pipe' });
  // Models exported with the SDK (its CommonJS build), as a user would with `tips export`.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const sdk = require('@tips/sdk') as typeof import('@tips/sdk');
  const models = join(here, 'dist', 'models');
  mkdirSync(models, { recursive: true });
  const vision = await sdk.exportVisionOnnx(tiny('tiny_mlp_vision.npz'), { config: { embedDim: 32, depth: 2, heads: 2, mlpHidden: 128, ffn: 'mlp' }, size: 56 });
  writeFileSync(join(models, 'vision.onnx'), vision.bytes);
  writeFileSync(join(models, 'text.onnx'), (await sdk.exportTextOnnx(tiny('tiny_text.npz'), { heads: 2 })).bytes);
  copyFileSync(join(dirname(require.resolve('@tips/sdk/package.json')), 'test-data', 'tiny-spm.model'), join(models, 'tokenizer.model'));
  copyFileSync(tiny('tiny_mlp_vision.npz'), join(models, 'vision.npz'));

  ({ server, url } = await serve(join(here, 'dist')));
  context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1100, height: 520 },
  });
  page = context.pages()[0] ?? (await context.newPage());
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  page.on('console', (m) => m.type() === 'error' && pageErrors.push(m.text()));
  // Nothing may come from outside the test server (no CDN for onnxruntime-web's files).
  await context.route('**/*', (route) => (route.request().url().startsWith(url) ? route.continue() : route.abort()));
});

afterAll(async () => {
  // beforeAll may have failed before the browser or the server existed: close only what was opened.
  if (context) await context.close();
  if (server) await new Promise((r) => server.close(r));
  rmSync(profile, { recursive: true, force: true });
});

test('drop a picture, type labels: the page shows the Node SDK scores and draws the PCA feature map', async () => {
  await page.goto(url);
  await page.waitForFunction(() => (window as unknown as { tipsDemo: { model?: unknown; error?: string } }).tipsDemo.model || (window as unknown as { tipsDemo: { error?: string } }).tipsDemo.error, null, { timeout: 60000 });
  expect(await page.textContent('#status')).toMatch(/Model ready .*56×56/);

  // Drop the picture on the drop zone as a browser would: a File in a DataTransfer.
  const b64 = readFileSync(PICTURE).toString('base64');
  const dataTransfer = await page.evaluateHandle((data: string) => {
    const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
    const dt = new DataTransfer();
    dt.items.add(new File([bytes], 'picture.png', { type: 'image/png' }));
    return dt;
  }, b64);
  await page.dispatchEvent('#drop', 'drop', { dataTransfer });
  await page.waitForFunction(() => (window as unknown as { tipsDemo: { runs: number } }).tipsDemo.runs >= 1, null, { timeout: 60000 });

  await page.fill('#labels', LABELS);
  await page.fill('#template', TEMPLATE);
  await page.click('#run');
  await page.waitForFunction(() => (window as unknown as { tipsDemo: { runs: number } }).tipsDemo.runs >= 2, null, { timeout: 60000 });

  const shown: PageScore[] = await page.$$eval('#scores li', (items) =>
    items.map((li) => ({ label: (li as HTMLElement).dataset.label!, score: Number((li as HTMLElement).dataset.score), similarity: Number((li as HTMLElement).dataset.similarity) })),
  );
  const cls1: number[] = await page.evaluate(() => Array.from((window as unknown as { tipsDemo: { embedding: { cls1: Float32Array } } }).tipsDemo.embedding.cls1));
  const pcaPixels = await page.evaluate(() => {
    const c = document.getElementById('pca') as HTMLCanvasElement;
    const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    const colours = new Set<string>();
    let opaque = 0;
    for (let i = 0; i < d.length; i += 4) {
      if (d[i + 3] === 255) opaque++;
      colours.add(`${d[i]},${d[i + 1]},${d[i + 2]}`);
    }
    return { opaque, colours: colours.size, total: d.length / 4 };
  });
  const pageFeatureImage: number[] = await page.evaluate(() => Array.from((window as unknown as { tipsDemo: { pca: { data: Uint8ClampedArray } } }).tipsDemo.pca.data));
  mkdirSync(join(repo, 'test-artifacts'), { recursive: true });
  await page.screenshot({ path: join(repo, 'test-artifacts', 'web-demo.png'), fullPage: true });

  // The same picture through @tips/sdk in Node (onnxruntime-node, sharp decoding).
  const ref = JSON.parse(
    execFileSync(process.execPath, [join(here, 'test', 'node-reference.mjs'), join(here, 'dist', 'models'), PICTURE, LABELS, TEMPLATE], { cwd: here, encoding: 'utf8' }),
  ) as { backend: string; scores: PageScore[]; cls1: number[]; pca: { data: number[] } };
  expect(ref.backend).toBe('node');

  expect(shown.map((s) => s.label)).toEqual(ref.scores.map((s) => s.label));
  shown.forEach((s, i) => {
    expect(Math.abs(s.score - ref.scores[i]!.score)).toBeLessThan(1e-4);
    expect(Math.abs(s.similarity - ref.scores[i]!.similarity)).toBeLessThan(1e-4);
  });
  expect(shown.reduce((a, s) => a + s.score, 0)).toBeCloseTo(1, 6);
  // Same pixels in, same embedding out: browser decoding + resizing equals Node's.
  expect(Math.max(...cls1.map((v, i) => Math.abs(v - ref.cls1[i]!)))).toBeLessThan(1e-5);
  expect(Math.max(...pageFeatureImage.map((v, i) => Math.abs(v - ref.pca.data[i]!)))).toBeLessThanOrEqual(1);

  // Every browser image source gives the same pixels, hence the same embedding, as the dropped File.
  const sources = await page.evaluate(async (data: string) => {
    const demo = (window as unknown as { tipsDemo: { model: import('@tips/sdk').TipsModel; embedding: { cls1: Float32Array } } }).tipsDemo;
    const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
    const blob = new Blob([bytes], { type: 'image/png' });
    const img = new Image();
    img.src = URL.createObjectURL(blob);
    await img.decode();
    const bitmap = await createImageBitmap(blob, { premultiplyAlpha: 'none', colorSpaceConversion: 'none' });
    const canvas = document.createElement('canvas');
    canvas.width = bitmap.width;
    canvas.height = bitmap.height;
    canvas.getContext('2d')!.drawImage(bitmap, 0, 0);
    const imageData = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height);
    const offscreen = new OffscreenCanvas(bitmap.width, bitmap.height);
    offscreen.getContext('2d')!.drawImage(bitmap, 0, 0);
    const inputs: Record<string, unknown> = { HTMLImageElement: img, ImageBitmap: bitmap, ImageData: imageData, HTMLCanvasElement: canvas, OffscreenCanvas: offscreen, bytes };
    const ref = demo.embedding.cls1;
    const out: Record<string, number> = {};
    for (const [name, input] of Object.entries(inputs)) {
      const e = await demo.model.embedImage(input as never);
      out[name] = Math.max(...Array.from(e.cls1, (v, i) => Math.abs(v - ref[i]!)));
    }
    return out;
  }, b64);
  for (const [name, diff] of Object.entries(sources)) expect({ name, diff: diff < 1e-6 }).toEqual({ name, diff: true });

  // The official checkpoint itself, fetched by URL and exported in the page, gives the same embedding.
  const fromCheckpoint = await page.evaluate(async (data: string) => {
    const demo = (window as unknown as { tipsDemo: { model: import('@tips/sdk').TipsModel; embedding: { cls1: Float32Array } } }).tipsDemo;
    const Model = demo.model.constructor as typeof import('@tips/sdk').TipsModel;
    const m = await Model.load({
      vision: new URL('models/vision.npz', location.href).href,
      visionConfig: { embedDim: 32, depth: 2, heads: 2, mlpHidden: 128, ffn: 'mlp' },
      backend: 'web',
      wasmPaths: new URL('ort/', location.href).href,
    });
    const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
    const e = await m.embedImage(new Blob([bytes], { type: 'image/png' }));
    await m.dispose();
    return { size: m.imageSize, diff: Math.max(...Array.from(e.cls1, (v, i) => Math.abs(v - demo.embedding.cls1[i]!))) };
  }, b64);
  expect(fromCheckpoint.size).toEqual([56, 56]);
  expect(fromCheckpoint.diff).toBeLessThan(1e-6);

  // The feature image is drawn: opaque, several colours over most of the canvas.
  expect(pcaPixels.opaque).toBeGreaterThan(0.9 * pcaPixels.total);
  expect(pcaPixels.colours).toBeGreaterThan(4);
  expect(pageErrors).toEqual([]);
});
