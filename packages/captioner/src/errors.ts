import { TipsError } from '@tips/runtime';

/** Base class of the errors @tips/captioner throws on purpose (bad input, bad server replies, bad options). */
export class CaptionerError extends TipsError {
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/** An option or argument is invalid (unknown granularity, bad shard spec, missing model directory …). */
export class CaptionConfigError extends CaptionerError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('CAPTION_CONFIG', message, options);
  }
}

/** An input image cannot be read or encoded (missing file, unknown format, wrong pixel buffer size). */
export class CaptionImageError extends CaptionerError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('CAPTION_IMAGE', message, options);
  }
}

/**
 * The captioning server answered with an HTTP error. `retryable` is true for 408, 429 and 5xx
 * (the backend already retried those `attempts` times before giving up); other 4xx are not retried.
 */
export class CaptionHttpError extends CaptionerError {
  readonly status: number;
  readonly retryable: boolean;
  readonly attempts: number;
  readonly body: string;
  constructor(status: number, body: string, url: string, attempts: number, retryable: boolean) {
    const hint =
      status === 401 || status === 403
        ? ' Check the API key (the variable named by --api-key-env) and that it may use this model.'
        : status === 404
          ? ' Check --base-url (it should end in /v1 for most servers) and --model.'
          : status === 400 || status === 422
            ? ' The server rejected the request: check that the model accepts images (a vision model) and the prompt/max tokens.'
            : retryable
              ? ' The server kept failing after retries; lower --concurrency or try again later.'
              : '';
    super(
      'CAPTION_HTTP',
      `Captioning request to ${url} failed with HTTP ${status} after ${attempts} attempt(s): ${truncate(body, 300)}.${hint}`,
    );
    this.status = status;
    this.retryable = retryable;
    this.attempts = attempts;
    this.body = body;
  }
}

/** A request did not complete within the per-request timeout (after all retries). */
export class CaptionTimeoutError extends CaptionerError {
  readonly attempts: number;
  constructor(url: string, timeoutMs: number, attempts: number) {
    super(
      'CAPTION_TIMEOUT',
      `Captioning request to ${url} timed out after ${timeoutMs} ms (${attempts} attempt(s)). Raise --timeout or lower --concurrency.`,
    );
    this.attempts = attempts;
  }
}

/** The server could not be reached (connection refused, DNS failure, reset) after all retries. */
export class CaptionNetworkError extends CaptionerError {
  readonly attempts: number;
  constructor(url: string, attempts: number, cause: unknown) {
    super(
      'CAPTION_NETWORK',
      `Could not reach the captioning server at ${url} (${attempts} attempt(s)): ${describeCause(cause)}. Check --base-url and that the server is running.`,
      { cause },
    );
    this.attempts = attempts;
  }
}

/** The server answered 2xx but the body is not JSON or does not follow the chat-completions schema. */
export class CaptionResponseError extends CaptionerError {
  readonly body: string;
  constructor(url: string, problem: string, body: string) {
    super(
      'CAPTION_RESPONSE',
      `The captioning server at ${url} sent a reply that is not an OpenAI chat completion (${problem}): ${truncate(body, 300)}. ` +
        'Check that --base-url points at an OpenAI-compatible /v1 endpoint.',
    );
    this.body = body;
  }
}

/** The local transformers.js model cannot be loaded or run. */
export class CaptionModelError extends CaptionerError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('CAPTION_MODEL', message, options);
  }
}

/** A manifest or caption output file is malformed (bad JSON line, missing id/image, mixed runs). */
export class CaptionManifestError extends CaptionerError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('CAPTION_MANIFEST', message, options);
  }
}

/** A record lacks the annotations the template backend needs. */
export class CaptionAnnotationError extends CaptionerError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('CAPTION_ANNOTATION', message, options);
  }
}

export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}…`;
}

function describeCause(cause: unknown): string {
  if (cause instanceof Error) {
    const inner = (cause as Error & { cause?: unknown }).cause;
    const code = inner && typeof inner === 'object' && 'code' in inner ? ` (${String((inner as { code: unknown }).code)})` : '';
    return `${cause.message}${code}`;
  }
  return String(cause);
}
