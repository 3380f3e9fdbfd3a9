import { z } from 'zod';

// Plain (stripping) objects, not loose ones: only the fields read are kept, and checking a
// chunk stays cheap, as it runs for every chunk of every answer. Absent fields cost a
// lookup each, so a plain text chunk pays little for the tool and reasoning fields.
const usageSchema = z.object({
  prompt_tokens: z.number().int().nonnegative().nullish(),
  completion_tokens: z.number().int().nonnegative().nullish(),
  prompt_tokens_details: z.object({ cached_tokens: z.number().int().nonnegative().nullish() }).nullish(),
  completion_tokens_details: z
    .object({ reasoning_tokens: z.number().int().nonnegative().nullish() })
    .nullish(),
});

/**
 * A fragment of a tool call: `index` says which call (several may interleave); `id` and
 * the name come on a call's first fragment (some servers repeat the id), the arguments in pieces.
 */
const toolCallDeltaSchema = z.object({
  index: z.number().int().nonnegative().nullish(),
  id: z.string().nullish(),
  function: z.object({ name: z.string().nullish(), arguments: z.string().nullish() }).nullish(),
});

/** Mistral's reasoning models stream `content` as typed chunks: text, and thinking made of texts. */
const contentChunkSchema = z.object({
  type: z.string(),
  text: z.string().nullish(),
  thinking: z.array(z.object({ text: z.string().nullish() })).nullish(),
});

const deltaSchema = z.object({
  content: z.union([z.string(), z.array(contentChunkSchema)]).nullish(),
  /** Reasoning text: `reasoning_content` (DeepSeek, vLLM, Groq…) or `reasoning` (OpenRouter, newer vLLM). */
  reasoning_content: z.string().nullish(),
  reasoning: z.string().nullish(),
  /** OpenAI's refusal of a structured answer, sent instead of content. */
  refusal: z.string().nullish(),
  tool_calls: z.array(toolCallDeltaSchema).nullish(),
});

const topLogprobSchema = z.object({
  token: z.string(),
  logprob: z.number(),
  bytes: z.array(z.number().int()).nullish(),
});

/** `choices[i].logprobs`: one entry per token of the chunk's `content`, with its alternatives. */
const logprobsSchema = z.object({
  content: z.array(topLogprobSchema.extend({ top_logprobs: z.array(topLogprobSchema).nullish() })).nullish(),
});

/** One `chat.completion.chunk`, or an error object sent in the stream; only what we read. */
export const openaiChatChunkSchema = z.object({
  choices: z
    .array(
      z.object({
        /** Which choice (`n` > 1 streams them interleaved); absent on servers that send only one. */
        index: z.number().int().nonnegative().nullish(),
        delta: deltaSchema.nullish(),
        logprobs: logprobsSchema.nullish(),
        finish_reason: z.string().nullish(),
      }),
    )
    .nullish(),
  usage: usageSchema.nullish(),
  error: z.unknown().optional(),
});

export type OpenAIChatChunk = z.infer<typeof openaiChatChunkSchema>;
export type OpenAIChatDelta = z.infer<typeof deltaSchema>;
export type OpenAIToolCallDelta = z.infer<typeof toolCallDeltaSchema>;
export type OpenAIUsage = z.infer<typeof usageSchema>;
export type OpenAILogprobs = z.infer<typeof logprobsSchema>;
