import { z } from 'zod';

const usageSchema = z.looseObject({
  prompt_tokens: z.number().int().nonnegative().nullish(),
  completion_tokens: z.number().int().nonnegative().nullish(),
  prompt_tokens_details: z.looseObject({ cached_tokens: z.number().int().nonnegative().nullish() }).nullish(),
  completion_tokens_details: z
    .looseObject({ reasoning_tokens: z.number().int().nonnegative().nullish() })
    .nullish(),
});

/** One `chat.completion.chunk`, or an error object sent in the stream; only what we read. */
export const openaiChatChunkSchema = z.union([
  z.looseObject({ error: z.unknown().refine((value) => value !== undefined && value !== null) }),
  z.looseObject({
    choices: z
      .array(
        z.looseObject({
          delta: z.looseObject({ content: z.string().nullish() }).nullish(),
          finish_reason: z.string().nullish(),
        }),
      )
      .nullish(),
    usage: usageSchema.nullish(),
  }),
]);

export type OpenAIChatChunk = z.infer<typeof openaiChatChunkSchema>;
export type OpenAIUsage = z.infer<typeof usageSchema>;
