import { asError, BaseCaptioner, type CaptionImage, type CaptionOptions, type CaptionResult } from '../captioner';
import {
  CaptionConfigError,
  CaptionHttpError,
  CaptionNetworkError,
  CaptionResponseError,
  CaptionTimeoutError,
} from '../errors';
import { toDataUrl, toEncodedImage } from '../images/image-bytes';
import { chatRequestBody, ChatCompletionSchema, completionText } from './chat-completion-schema';
import { ConcurrencyLimiter } from './limiter';
import { backoffDelayMs, DEFAULT_RETRY, isRetryableStatus, parseRetryAfterMs, sleep, type RetryPolicy } from './retry';

/** What happened before a retry (for logs; never contains the API key). */
export interface RetryEvent {
  attempt: number;
  delayMs: number;
  reason: string;
  status?: number;
}

export interface OpenAICaptionerOptions {
  /** Base URL of the OpenAI-compatible API, e.g. http://127.0.0.1:8000/v1 (vLLM), http://127.0.0.1:11434/v1 (Ollama). */
  baseUrl: string;
  /** Model name as the server knows it. */
  model: string;
  /** Name of the environment variable holding the API key (default OPENAI_API_KEY). Unset → no Authorization header. */
  apiKeyEnv?: string;
  /** The key itself (takes precedence over apiKeyEnv). Never logged or written to outputs. */
  apiKey?: string;
  /** Requests in flight at once, across all calls of this instance (default 4). */
  concurrency?: number;
  /** Per-attempt timeout in ms, covering the response body (default 120 000). */
  timeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  /** Sampling temperature (default 0: greedy, reproducible captions). */
  temperature?: number;
  /** Shrink images whose longer side exceeds this before sending (default: send as is). */
  maxImageSide?: number;
  systemPrompt?: string;
  /** Extra JSON fields merged into every request body (e.g. { top_p: 1 }). */
  extraBody?: Record<string, unknown>;
  /** 'max_tokens' (vLLM, Ollama, llama.cpp) or 'max_completion_tokens' (newer OpenAI models). */
  maxTokensField?: 'max_tokens' | 'max_completion_tokens';
  /** Called before each retry. */
  onRetry?: (event: RetryEvent) => void;
  /** Source of jitter in [0, 1) (default Math.random; tests pass a fixed one). */
  random?: () => number;
  /** fetch implementation (default: Node's global fetch). */
  fetch?: typeof fetch;
}

/**
 * Captions with a vision chat model behind an OpenAI-compatible `/chat/completions` endpoint
 * (vLLM, Ollama, llama.cpp server, SGLang, hosted APIs). One request per image, the image sent as
 * a base64 data URL in an `image_url` content part; at most `concurrency` requests in flight;
 * 408/429/5xx, timeouts and network errors are retried with exponential back-off and jitter
 * (Retry-After honoured); other 4xx and malformed replies fail at once with a typed error.
 */
export class OpenAICaptioner extends BaseCaptioner {
  readonly backend = 'openai';
  readonly model: string;
  readonly url: string;
  readonly limiter: ConcurrencyLimiter;
  readonly #apiKey: string | undefined;
  readonly #opts: Required<Pick<OpenAICaptionerOptions, 'timeoutMs' | 'temperature' | 'maxTokensField'>> & OpenAICaptionerOptions;
  readonly #retry: RetryPolicy;
  readonly #fetch: typeof fetch;

  constructor(options: OpenAICaptionerOptions) {
    super();
    if (!options.baseUrl) throw new CaptionConfigError('OpenAI backend needs a base URL (--base-url), e.g. http://127.0.0.1:8000/v1.');
    let base: URL;
    try {
      base = new URL(options.baseUrl);
    } catch {
      throw new CaptionConfigError(`--base-url "${options.baseUrl}" is not a URL: use e.g. http://127.0.0.1:8000/v1.`);
    }
    if (!options.model) throw new CaptionConfigError('OpenAI backend needs a model name (--model), as the server lists it under /v1/models.');
    this.model = options.model;
    this.url = `${base.href.replace(/\/+$/, '')}/chat/completions`;
    this.#apiKey = options.apiKey ?? process.env[options.apiKeyEnv ?? 'OPENAI_API_KEY'] ?? undefined;
    this.limiter = new ConcurrencyLimiter(options.concurrency ?? 4);
    this.#retry = { ...DEFAULT_RETRY, ...options.retry };
    if (!(this.#retry.maxAttempts >= 1)) throw new CaptionConfigError(`retry.maxAttempts must be ≥ 1, got ${this.#retry.maxAttempts}.`);
    const { apiKey: _key, ...rest } = options; // the key lives only in #apiKey
    this.#opts = { timeoutMs: 120_000, temperature: 0, maxTokensField: 'max_tokens', ...rest };
    this.#fetch = options.fetch ?? globalThis.fetch;
  }

  /** True when an API key was found (the key itself is never exposed). */
  get hasApiKey(): boolean {
    return this.#apiKey !== undefined && this.#apiKey !== '';
  }

  async captionSettled(images: readonly CaptionImage[], options: CaptionOptions): Promise<CaptionResult[]> {
    return Promise.all(
      images.map(async (image): Promise<CaptionResult> => {
        try {
          return { ok: true, caption: await this.captionOne(image, options) };
        } catch (e) {
          if (options.signal?.aborted) throw e;
          return { ok: false, error: asError(e) };
        }
      }),
    );
  }

  /** Captions one image (with retries). */
  async captionOne(image: CaptionImage, options: CaptionOptions): Promise<string> {
    const encoded = await toEncodedImage(image, { maxSide: this.#opts.maxImageSide });
    const body = JSON.stringify(
      chatRequestBody({
        model: this.model,
        prompt: options.prompt,
        imageDataUrl: toDataUrl(encoded),
        maxTokens: options.maxTokens,
        maxTokensField: this.#opts.maxTokensField,
        temperature: this.#opts.temperature,
        systemPrompt: this.#opts.systemPrompt,
        extraBody: this.#opts.extraBody,
      }),
    );
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
    if (this.hasApiKey) headers.authorization = `Bearer ${this.#apiKey}`;

    const { maxAttempts } = this.#retry;
    for (let attempt = 1; ; attempt++) {
      const outcome = await this.limiter.run(() => this.attemptOnce(body, headers, options.signal));
      if (outcome.kind === 'ok') return this.parse(outcome.status, outcome.text);
      const retryable = outcome.kind === 'http' ? isRetryableStatus(outcome.status) : true;
      if (!retryable || attempt >= maxAttempts) throw this.finalError(outcome, attempt, retryable);
      const retryAfter = outcome.kind === 'http' ? parseRetryAfterMs(outcome.retryAfter) : undefined;
      const delayMs = Math.min(this.#retry.maxDelayMs, retryAfter ?? backoffDelayMs(attempt, this.#retry, this.#opts.random));
      this.#opts.onRetry?.({
        attempt,
        delayMs,
        reason: outcome.kind === 'http' ? `HTTP ${outcome.status}` : outcome.kind,
        ...(outcome.kind === 'http' ? { status: outcome.status } : {}),
      });
      await sleep(delayMs, options.signal);
    }
  }

  private async attemptOnce(body: string, headers: Record<string, string>, outer?: AbortSignal): Promise<AttemptOutcome> {
    if (outer?.aborted) throw outer.reason;
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort(new Error('timeout'));
    }, this.#opts.timeoutMs);
    const onOuterAbort = (): void => controller.abort(outer!.reason);
    outer?.addEventListener('abort', onOuterAbort, { once: true });
    try {
      const res = await this.#fetch(this.url, { method: 'POST', headers, body, signal: controller.signal });
      const text = await res.text();
      if (res.ok) return { kind: 'ok', status: res.status, text };
      return { kind: 'http', status: res.status, text, retryAfter: res.headers.get('retry-after') };
    } catch (e) {
      if (outer?.aborted) throw outer.reason;
      if (timedOut) return { kind: 'timeout' };
      return { kind: 'network', error: e };
    } finally {
      clearTimeout(timer);
      outer?.removeEventListener('abort', onOuterAbort);
    }
  }

  private parse(status: number, text: string): string {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new CaptionResponseError(this.url, `HTTP ${status} body is not JSON`, text);
    }
    const parsed = ChatCompletionSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new CaptionResponseError(this.url, `${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'schema mismatch'}`, text);
    }
    const caption = completionText(parsed.data).trim();
    if (!caption) {
      const refusal = parsed.data.choices[0]!.message.refusal;
      throw new CaptionResponseError(this.url, refusal ? `the model refused: ${refusal}` : 'the assistant message is empty', text);
    }
    return caption;
  }

  private finalError(outcome: Exclude<AttemptOutcome, { kind: 'ok' }>, attempts: number, retryable: boolean): Error {
    switch (outcome.kind) {
      case 'http':
        return new CaptionHttpError(outcome.status, outcome.text, this.url, attempts, retryable);
      case 'timeout':
        return new CaptionTimeoutError(this.url, this.#opts.timeoutMs, attempts);
      case 'network':
        return new CaptionNetworkError(this.url, attempts, outcome.error);
    }
  }
}

type AttemptOutcome =
  | { kind: 'ok'; status: number; text: string }
  | { kind: 'http'; status: number; text: string; retryAfter: string | null }
  | { kind: 'timeout' }
  | { kind: 'network'; error: unknown };
