import sharp from 'sharp';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OpenAICaptioner, type RetryEvent } from './openai';
import { digestCaption, startChatServer, type ChatServer, type PlanAction } from '../testing/chat-server';
import {
  CaptionHttpError,
  CaptionImageError,
  CaptionNetworkError,
  CaptionResponseError,
  CaptionTimeoutError,
} from '../errors';

/** Distinct small PNGs (different colours), encoded by sharp. */
async function pngs(n: number): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for (let i = 0; i < n; i++) {
    const buf = await sharp({ create: { width: 8, height: 6, channels: 3, background: { r: (i * 37) % 256, g: (i * 91) % 256, b: 200 } } })
      .png()
      .toBuffer();
    out.push(new Uint8Array(buf));
  }
  return out;
}

const opts = { prompt: 'caption en\n', maxTokens: 32 };
const fastRetry = { baseDelayMs: 5, maxDelayMs: 2000, maxAttempts: 4 };

describe('OpenAICaptioner against a real chat-completions server on 127.0.0.1', () => {
  let server: ChatServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  function captioner(extra: Partial<ConstructorParameters<typeof OpenAICaptioner>[0]> = {}): OpenAICaptioner {
    return new OpenAICaptioner({ baseUrl: server!.baseUrl, model: 'test-vlm', retry: fastRetry, ...extra });
  }

  it('sends model, prompt, max_tokens and the image as a base64 data URL; returns one caption per image in order', async () => {
    process.env.TIPS_TEST_KEY = 'sk-secret-123';
    server = await startChatServer({ apiKey: 'sk-secret-123' });
    const images = await pngs(5);
    const captions = await captioner({ apiKeyEnv: 'TIPS_TEST_KEY' }).caption(images, opts);
    expect(captions).toEqual(images.map(digestCaption));
    expect(server.rejected).toEqual([]);
    expect(server.requests).toHaveLength(5);
    for (const r of server.requests) {
      expect(r.model).toBe('test-vlm');
      expect(r.prompt).toBe('caption en\n');
      expect(r.maxTokens).toBe(32);
      expect(r.imageMime).toBe('image/png');
      expect(r.authorization).toBe('Bearer sk-secret-123');
    }
    // The exact bytes arrive (PNG passes through unchanged).
    expect(new Set(server.requests.map((r) => r.imageDigest)).size).toBe(5);
    delete process.env.TIPS_TEST_KEY;
  });

  it('never puts the API key in errors or in the inspected object', async () => {
    server = await startChatServer({ apiKey: 'the-right-key' });
    const c = captioner({ apiKey: 'sk-do-not-leak' });
    const err = (await c.caption(await pngs(1), opts).catch((e: unknown) => e)) as Error;
    expect(err).toBeInstanceOf(CaptionHttpError);
    expect((err as CaptionHttpError).status).toBe(401);
    expect(err.message).toContain('API key');
    expect(err.message).not.toContain('sk-do-not-leak');
    expect(JSON.stringify(c)).not.toContain('sk-do-not-leak');
    expect(require('node:util').inspect(c, { depth: 5 })).not.toContain('sk-do-not-leak');
  });

  it('keeps at most `concurrency` requests in flight (counted by the server)', async () => {
    server = await startChatServer({ delayMs: 60 });
    const images = await pngs(12);
    const c = captioner({ concurrency: 3 });
    // Two overlapping calls share the same limit.
    const [a, b] = await Promise.all([c.caption(images.slice(0, 6), opts), c.caption(images.slice(6), opts)]);
    expect([...a, ...b]).toEqual(images.map(digestCaption));
    expect(server.maxInFlight).toBe(3);
    expect(Math.max(...server.requests.map((r) => r.inFlightAtArrival))).toBeLessThanOrEqual(3);
  });

  it('retries a 429 after the Retry-After delay, then succeeds', async () => {
    const arrivals: number[] = [];
    server = await startChatServer({
      plan: (r): PlanAction => {
        arrivals.push(Date.now());
        return r.index === 0 ? { kind: 'status', status: 429, headers: { 'retry-after': '1' } } : { kind: 'ok' };
      },
    });
    const events: RetryEvent[] = [];
    const [img] = await pngs(1);
    const captions = await captioner({ onRetry: (e) => events.push(e) }).caption([img!], opts);
    expect(captions).toEqual([digestCaption(img!)]);
    expect(server.requests).toHaveLength(2);
    expect(events).toEqual([{ attempt: 1, delayMs: 1000, reason: 'HTTP 429', status: 429 }]);
    // Without Retry-After the back-off would be ~5 ms; the server said 1 s.
    expect(arrivals[1]! - arrivals[0]!).toBeGreaterThanOrEqual(950);
  });

  it('retries 500/502/503 with growing back-off and succeeds on the 4th attempt', async () => {
    const statuses = [500, 502, 503];
    server = await startChatServer({
      plan: (r): PlanAction => (r.index < 3 ? { kind: 'status', status: statuses[r.index]! } : { kind: 'ok' }),
    });
    const events: RetryEvent[] = [];
    const [img] = await pngs(1);
    const c = captioner({ onRetry: (e) => events.push(e), random: () => 1, retry: { ...fastRetry, baseDelayMs: 20 } });
    expect(await c.caption([img!], opts)).toEqual([digestCaption(img!)]);
    expect(server.requests).toHaveLength(4);
    // random() = 1 → the full window: base·2^(k-1).
    expect(events.map((e) => [e.status, e.delayMs])).toEqual([
      [500, 20],
      [502, 40],
      [503, 80],
    ]);
  });

  it('gives up on persistent 500s after maxAttempts with a typed error', async () => {
    server = await startChatServer({ plan: () => ({ kind: 'status', status: 500, body: '{"error":"boom"}' }) });
    const err = await captioner().caption(await pngs(1), opts).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CaptionHttpError);
    expect(err).toMatchObject({ status: 500, attempts: 4, retryable: true, code: 'CAPTION_HTTP' });
    expect(server.requests).toHaveLength(4);
  });

  it('does not retry a 400 or a 404 (wrong model)', async () => {
    server = await startChatServer({ plan: () => ({ kind: 'status', status: 400, body: '{"error":"image too large"}' }) });
    const err = await captioner().caption(await pngs(1), opts).catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 400, attempts: 1, retryable: false });
    expect((err as Error).message).toContain('image too large');
    expect(server.requests).toHaveLength(1);
    await server.close();

    server = await startChatServer();
    const err404 = await captioner({ model: 'no-such-model' }).caption(await pngs(1), opts).catch((e: unknown) => e);
    expect(err404).toMatchObject({ status: 404, attempts: 1 });
    expect((err404 as Error).message).toContain('--model');
    expect(server.rejected).toHaveLength(1);
  });

  it('aborts a hanging request at the timeout and retries it', async () => {
    server = await startChatServer({ plan: (r): PlanAction => (r.index === 0 ? { kind: 'hang' } : { kind: 'ok' }) });
    const events: RetryEvent[] = [];
    const [img] = await pngs(1);
    const t0 = Date.now();
    const captions = await captioner({ timeoutMs: 300, onRetry: (e) => events.push(e) }).caption([img!], opts);
    expect(captions).toEqual([digestCaption(img!)]);
    expect(events.map((e) => e.reason)).toEqual(['timeout']);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(290);
    expect(server.requests).toHaveLength(2);
  });

  it('fails with CaptionTimeoutError when every attempt times out', async () => {
    server = await startChatServer({ plan: () => ({ kind: 'hang' }) });
    const err = await captioner({ timeoutMs: 150, retry: { ...fastRetry, maxAttempts: 2 } })
      .caption(await pngs(1), opts)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CaptionTimeoutError);
    expect(err).toMatchObject({ attempts: 2, code: 'CAPTION_TIMEOUT' });
    expect(server.requests).toHaveLength(2);
  });

  it('turns a malformed JSON body into CaptionResponseError without retrying', async () => {
    server = await startChatServer({ plan: () => ({ kind: 'malformed' }) });
    const err = await captioner().caption(await pngs(1), opts).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CaptionResponseError);
    expect((err as Error).message).toContain('not JSON');
    expect(server.requests).toHaveLength(1);
    await server.close();

    server = await startChatServer({ plan: () => ({ kind: 'malformed', body: '{"object":"chat.completion","choices":[]}' }) });
    const err2 = await captioner().caption(await pngs(1), opts).catch((e: unknown) => e);
    expect(err2).toBeInstanceOf(CaptionResponseError);
    expect((err2 as Error).message).toContain('choices');
  });

  it('retries dropped connections and reports unreachable servers as CaptionNetworkError', async () => {
    server = await startChatServer({ plan: (r): PlanAction => (r.index < 2 ? { kind: 'destroy' } : { kind: 'ok' }) });
    const [img] = await pngs(1);
    expect(await captioner().caption([img!], opts)).toEqual([digestCaption(img!)]);
    expect(server.requests).toHaveLength(3);
    const url = server.baseUrl;
    await server.close();
    server = undefined;
    const err = await new OpenAICaptioner({ baseUrl: url, model: 'm', retry: { ...fastRetry, maxAttempts: 2 } })
      .caption([img!], opts)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CaptionNetworkError);
    expect(err).toMatchObject({ attempts: 2 });
  });

  it('captionSettled keeps the successes of a batch in which one image fails', async () => {
    const images = await pngs(4);
    const bad = digestCaption(images[2]!);
    server = await startChatServer({
      plan: (r): PlanAction => (digestCaption(r.imageBytes) === bad ? { kind: 'status', status: 422 } : { kind: 'ok' }),
    });
    const results = await captioner().captionSettled(images, opts);
    expect(results.map((r) => r.ok)).toEqual([true, true, false, true]);
    expect(results[0]).toEqual({ ok: true, caption: digestCaption(images[0]!) });
    expect(!results[2]!.ok && results[2]!.error).toBeInstanceOf(CaptionHttpError);
  });

  it('accepts file paths and raw RGB pixels (sent as lossless PNG)', async () => {
    server = await startChatServer();
    const dir = await mkdtemp(join(tmpdir(), 'capt-'));
    try {
      const [png] = await pngs(1);
      const path = join(dir, 'a.png');
      await writeFile(path, png!);
      const rgb = new Uint8Array(4 * 3 * 3).map((_, i) => (i * 7) % 256);
      const captions = await captioner().caption([path, { data: rgb, width: 4, height: 3, channels: 3 }], opts);
      expect(captions[0]).toBe(digestCaption(png!));
      const sent = server.requests.find((r) => digestCaption(r.imageBytes) === captions[1])!;
      const decoded = await sharp(sent.imageBytes).raw().toBuffer();
      expect([...decoded]).toEqual([...rgb]);
      await expect(captioner().caption([join(dir, 'missing.png')], opts)).rejects.toBeInstanceOf(CaptionImageError);
      await expect(captioner().caption([new Uint8Array([1, 2, 3, 4])], opts)).rejects.toBeInstanceOf(CaptionImageError);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('stops waiting when the caller aborts', async () => {
    server = await startChatServer({ plan: () => ({ kind: 'hang' }) });
    const ac = new AbortController();
    setTimeout(() => ac.abort(new Error('user cancelled')), 100);
    await expect(captioner({ timeoutMs: 10_000 }).caption(await pngs(2), { ...opts, signal: ac.signal })).rejects.toThrow('user cancelled');
  });
});
