import type { CaptionResult, Captioner } from './captioner';
import type { JobRecord } from './job/record';
import { DEFAULT_MAX_TOKENS, promptFor, type Granularity, type PromptStyle } from './prompts';

/**
 * What the batch job drives: captions for manifest records at one granularity. Image backends are
 * wrapped by `imageRecordCaptioner`; the template backend reads the records' annotations.
 */
export interface RecordCaptioner {
  readonly backend: string;
  readonly model: string;
  /** The prompt used for a granularity (written to provenance); null when the backend takes none. */
  promptFor(granularity: Granularity): string | null;
  captionRecords(records: readonly JobRecord[], granularity: Granularity, signal?: AbortSignal): Promise<CaptionResult[]>;
  close?(): Promise<void>;
}

export interface ImageRecordCaptionerOptions {
  /** Prompt style for the default prompts (default 'instruct'). */
  promptStyle?: PromptStyle;
  /** Prompts that replace the defaults, per granularity. */
  prompts?: Partial<Record<Granularity, string>>;
  /** Max new tokens per granularity (defaults: DEFAULT_MAX_TOKENS). */
  maxTokens?: Partial<Record<Granularity, number>>;
  /** Whether the model takes a prompt at all (false for plain image-to-text models). Default true. */
  usesPrompt?: boolean;
}

/** Captions each record's image file with an image Captioner. */
export function imageRecordCaptioner(captioner: Captioner, options: ImageRecordCaptionerOptions = {}): RecordCaptioner {
  const prompt = (g: Granularity): string => options.prompts?.[g] ?? promptFor(g, options.promptStyle ?? 'instruct');
  return {
    backend: captioner.backend,
    model: captioner.model,
    promptFor: (g) => (options.usesPrompt === false ? null : prompt(g)),
    captionRecords: (records, g, signal) =>
      captioner.captionSettled(
        records.map((r) => r.image),
        { prompt: prompt(g), maxTokens: options.maxTokens?.[g] ?? DEFAULT_MAX_TOKENS[g], signal },
      ),
    close: captioner.close ? () => captioner.close!() : undefined,
  };
}
