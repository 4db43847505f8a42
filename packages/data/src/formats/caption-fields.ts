import { z } from 'zod';

/** `synthetic_caption`: one caption, or several (multi-granularity, TIPSv2). */
export const syntheticCaptionSchema = z.union([z.string(), z.array(z.string()).min(1, 'must hold at least one caption')]);

/** The annotation fields shared by a manifest line and a WebDataset sample's .json. */
export const annotationShape = {
  web_caption: z.string().optional(),
  synthetic_caption: syntheticCaptionSchema.optional(),
  id: z.union([z.string(), z.number()]).optional(),
  label: z.union([z.number().int(), z.string()]).optional(),
};

/** Synthetic captions as a list (one entry for a single string, none when absent). */
export function captionList(c: string | string[] | undefined): string[] {
  if (c === undefined) return [];
  return typeof c === 'string' ? [c] : c;
}

/** zod issues as "field: message; field: message". */
export function formatZodIssues(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(record)'}: ${i.message}`).join('; ');
}
