import { z } from 'zod';

/** The part of an OpenAI chat-completions response a captioner reads (extra fields are allowed). */
const ContentPart = z.object({ type: z.string(), text: z.string().optional() }).passthrough();

export const ChatCompletionSchema = z
  .object({
    choices: z
      .array(
        z
          .object({
            message: z
              .object({
                content: z.union([z.string(), z.array(ContentPart), z.null()]).optional(),
                refusal: z.string().nullable().optional(),
              })
              .passthrough(),
            finish_reason: z.string().nullable().optional(),
          })
          .passthrough(),
      )
      .min(1),
    model: z.string().optional(),
  })
  .passthrough();

export type ChatCompletion = z.infer<typeof ChatCompletionSchema>;

/** The assistant text of the first choice (array content parts are joined). */
export function completionText(c: ChatCompletion): string {
  const content = c.choices[0]!.message.content;
  if (content == null) return '';
  if (typeof content === 'string') return content;
  return content
    .filter((p) => p.type === 'text' && typeof p.text === 'string')
    .map((p) => p.text)
    .join('');
}

/** The request body of one captioning call: image first, then the prompt (PaliGemma's required order). */
export function chatRequestBody(args: {
  model: string;
  prompt: string;
  imageDataUrl: string;
  maxTokens: number;
  maxTokensField: 'max_tokens' | 'max_completion_tokens';
  temperature: number;
  systemPrompt?: string;
  extraBody?: Record<string, unknown>;
}): Record<string, unknown> {
  const messages: unknown[] = [];
  if (args.systemPrompt) messages.push({ role: 'system', content: args.systemPrompt });
  messages.push({
    role: 'user',
    content: [
      { type: 'image_url', image_url: { url: args.imageDataUrl } },
      { type: 'text', text: args.prompt },
    ],
  });
  return {
    ...args.extraBody,
    model: args.model,
    messages,
    [args.maxTokensField]: args.maxTokens,
    temperature: args.temperature,
    stream: false,
  };
}
