import { z } from 'zod';

// Plain (stripping) objects, not loose ones: only the fields read are kept, and checking a
// chunk stays cheap, as it runs for every chunk of every answer.
const usageSchema = z.object({
  prompt_tokens: z.number().int().nonnegative().nullish(),
  completion_tokens: z.number().int().nonnegative().nullish(),
  prompt_tokens_details: z.object({ cached_tokens: z.number().int().nonnegative().nullish() }).nullish(),
  completion_tokens_details: z
    .object({ reasoning_tokens: z.number().int().nonnegative().nullish() })
    .nullish(),
});

/** One `chat.completion.chunk`, or an error object sent in the stream; only what we read. */
export const openaiChatChunkSchema = z.object({
  choices: z
    .array(
      z.object({
        delta: z.object({ content: z.string().nullish() }).nullish(),
        finish_reason: z.string().nullish(),
      }),
    )
    .nullish(),
  usage: usageSchema.nullish(),
  error: z.unknown().optional(),
});

export type OpenAIChatChunk = z.infer<typeof openaiChatChunkSchema>;
export type OpenAIUsage = z.infer<typeof usageSchema>;
