import { OpenAICaptioner, type RetryEvent } from './backends/openai';
import { TemplateCaptioner } from './backends/template';
import { TransformersCaptioner } from './backends/transformers';
import { CaptionConfigError } from './errors';
import type { Granularity, PromptStyle } from './prompts';
import { imageRecordCaptioner, type RecordCaptioner } from './record-captioner';

export const BACKENDS = ['openai', 'transformers', 'template'] as const;
export type BackendName = (typeof BACKENDS)[number];

/** A backend chosen by name, with its settings (what `tips caption` builds from its flags). */
export interface BackendSpec {
  backend: BackendName;
  /** openai: the server's model name; transformers: the local model folder. */
  model?: string;
  /** openai: base URL of the OpenAI-compatible API (…/v1). */
  baseUrl?: string;
  /** openai: environment variable with the API key (default OPENAI_API_KEY). */
  apiKeyEnv?: string;
  /** openai: requests in flight (default 4). */
  concurrency?: number;
  /** openai: per-request timeout, ms (default 120 000). */
  timeoutMs?: number;
  /** openai: retries after the first attempt (default 4). */
  retries?: number;
  /** openai: shrink images to this longer side before sending. */
  maxImageSide?: number;
  onRetry?: (e: RetryEvent) => void;
  /** transformers: ONNX Runtime device (default cpu) and weights dtype (default fp32). */
  device?: string;
  dtype?: string;
  allowRemoteModels?: boolean;
  /** Image backends: prompt style, prompt overrides and max new tokens per granularity. */
  promptStyle?: PromptStyle;
  prompts?: Partial<Record<Granularity, string>>;
  maxTokens?: Partial<Record<Granularity, number>>;
}

/** Builds the record captioner for a backend spec; bad or missing settings give CaptionConfigError. */
export function createRecordCaptioner(spec: BackendSpec): RecordCaptioner {
  const imageOpts = { promptStyle: spec.promptStyle, prompts: spec.prompts, maxTokens: spec.maxTokens };
  switch (spec.backend) {
    case 'openai':
      if (!spec.baseUrl) throw new CaptionConfigError('--backend openai needs --base-url (e.g. http://127.0.0.1:8000/v1 for vLLM, http://127.0.0.1:11434/v1 for Ollama).');
      if (!spec.model) throw new CaptionConfigError('--backend openai needs --model (the name the server lists under /v1/models).');
      return imageRecordCaptioner(
        new OpenAICaptioner({
          baseUrl: spec.baseUrl,
          model: spec.model,
          apiKeyEnv: spec.apiKeyEnv,
          concurrency: spec.concurrency,
          timeoutMs: spec.timeoutMs,
          retry: spec.retries !== undefined ? { maxAttempts: spec.retries + 1 } : undefined,
          maxImageSide: spec.maxImageSide,
          onRetry: spec.onRetry,
        }),
        imageOpts,
      );
    case 'transformers':
      if (!spec.model) throw new CaptionConfigError('--backend transformers needs --model <folder> (a local transformers.js model folder).');
      return imageRecordCaptioner(
        new TransformersCaptioner({ modelDir: spec.model, device: spec.device, dtype: spec.dtype, allowRemoteModels: spec.allowRemoteModels }),
        { ...imageOpts, usesPrompt: false },
      );
    case 'template':
      return new TemplateCaptioner();
    default:
      throw new CaptionConfigError(`Unknown caption backend "${String((spec as { backend: unknown }).backend)}": use one of ${BACKENDS.join(', ')}.`);
  }
}
