import { CaptionConfigError } from './errors';

/**
 * Caption granularities. TIPSv2 trains on several synthetic captions per image of different
 * granularity and samples among them (see /work/shared/DESIGN.md, "multi-granularity captions");
 * TIPS v1 used one PaliGemma caption per image.
 */
export const GRANULARITIES = ['short', 'detailed', 'spatial'] as const;
export type Granularity = (typeof GRANULARITIES)[number];

/**
 * Prompt style. `paligemma` uses PaliGemma's task prefixes, the captioner of the TIPS paper:
 * "caption {lang}\n" gives short captions and "describe {lang}\n" somewhat longer, more descriptive
 * ones (the latter only on the pretrained checkpoints), image first, then the prompt. Source:
 * https://ai.google.dev/gemma/docs/paligemma/prompt-system-instructions ("Prompt task syntax").
 * PaliGemma has no spatial-description task, so `spatial` falls back to "describe".
 * `instruct` is plain English for chat VLMs (Qwen2-VL, LLaVA, Gemma 3, GPT-4o … behind an
 * OpenAI-compatible endpoint).
 */
export type PromptStyle = 'instruct' | 'paligemma';

const INSTRUCT: Record<Granularity, string> = {
  short: 'Write a one-sentence caption of this image. Answer with the caption only.',
  detailed:
    'Describe this image in detail in two to four sentences: the objects, their colours, sizes, materials and the setting. Answer with the description only.',
  spatial:
    'Describe where the objects in this image are: for each object, its position in the image (left, right, top, bottom, centre), its size, and how it relates to the other objects (left of, right of, above, below, in front of, behind). Answer with the description only.',
};

/** Default maximum new tokens per granularity. */
export const DEFAULT_MAX_TOKENS: Record<Granularity, number> = { short: 48, detailed: 160, spatial: 160 };

export function isGranularity(name: string): name is Granularity {
  return (GRANULARITIES as readonly string[]).includes(name);
}

/** Parses "short,detailed" into granularities (deduplicated, in the given order). */
export function parseGranularities(spec: string | readonly string[]): Granularity[] {
  const parts = (typeof spec === 'string' ? spec.split(',') : [...spec]).map((s) => s.trim()).filter(Boolean);
  if (parts.length === 0) throw new CaptionConfigError('No caption granularity given: use one or more of short, detailed, spatial.');
  const out: Granularity[] = [];
  for (const p of parts) {
    if (!isGranularity(p)) {
      throw new CaptionConfigError(`Unknown caption granularity "${p}": use one or more of ${GRANULARITIES.join(', ')} (comma-separated).`);
    }
    if (!out.includes(p)) out.push(p);
  }
  return out;
}

/** The prompt for a granularity in a prompt style; `lang` is PaliGemma's language code. */
export function promptFor(granularity: Granularity, style: PromptStyle = 'instruct', lang = 'en'): string {
  if (style === 'paligemma') return granularity === 'short' ? `caption ${lang}\n` : `describe ${lang}\n`;
  return INSTRUCT[granularity];
}
