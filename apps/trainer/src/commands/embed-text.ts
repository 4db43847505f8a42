import { TipsError } from '@tips/runtime';

/** Text embedding lands with @tips/text-encoder. */
export async function embedTexts(_opts: { text?: string; tokenizer?: string; texts: string[] }, _backend?: string): Promise<void> {
  throw new TipsError('NOT_READY', 'text embedding is not wired yet');
}
