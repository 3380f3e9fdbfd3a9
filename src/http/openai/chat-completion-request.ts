import { z } from 'zod';
import {
  type CompletionRequest,
  completionFieldSchemas,
  describeValidationIssues,
  modelIdSchema,
} from '../../core/completion-request.js';
import { GatewayError } from '../../core/gateway-error.js';
import { openaiMessageSchema } from './openai-message.js';
import { ignoredParameters, unsupportedParameters } from './openai-parameters.js';

const { models, fallbackModels, maxTokens, maxRetries, conversationId, strategy } = completionFieldSchemas;

/**
 * `POST /v1/chat/completions` body: OpenAI's Chat Completions request, plus Switchyard's
 * own fields (`models`, `fallback_models`, `max_retries`, `conversation_id`, `strategy`).
 * OpenAI accepts `null` for every optional parameter, so we do too.
 */
const chatCompletionBodySchema = z
  .strictObject({
    model: modelIdSchema.optional(),
    models: models.optional(),
    messages: z.array(openaiMessageSchema).min(1, 'must have at least one message'),
    stream: z.boolean().nullish(),
    stream_options: z
      .strictObject({ include_usage: z.boolean().nullish(), include_obfuscation: z.boolean().nullish() })
      .nullish(),
    // OpenAI and Gemini accept up to 2, Anthropic up to 1: the portable range is the rule.
    temperature: z
      .number()
      .min(0, 'must be between 0 and 1')
      .max(1, 'must be between 0 and 1, the range every provider accepts (Anthropic stops at 1)')
      .nullish(),
    max_tokens: maxTokens.nullable(),
    max_completion_tokens: maxTokens.nullable(),
    // Any web search options ask for a grounded answer; their details are not portable.
    web_search_options: z.record(z.string(), z.unknown()).nullish(),
    fallback_models: fallbackModels,
    max_retries: maxRetries,
    conversation_id: conversationId,
    strategy,
    ...unsupportedParameters,
    ...ignoredParameters,
  })
  .superRefine((body, ctx) => {
    if (body.model === undefined && body.models === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['model'],
        message: 'is required: a "provider/model" id such as "openai/gpt-4o" (or a "models" list)',
        params: { openaiCode: 'missing_required_parameter' },
      });
    }
    const { max_tokens: legacy, max_completion_tokens: current } = body;
    if (legacy != null && current != null && legacy !== current) {
      ctx.addIssue({
        code: 'custom',
        path: ['max_completion_tokens'],
        message: 'differs from max_tokens: send one of them',
      });
    }
    if (body.stream_options != null && body.stream !== true) {
      ctx.addIssue({
        code: 'custom',
        path: ['stream_options'],
        message: 'is only allowed when stream is true',
      });
    }
  })
  .transform(
    (body): OpenAIChatRequest => ({
      request: {
        messages: body.messages,
        // `model` leads the pool when both are given, as the primary choice.
        models: [...(body.model ? [body.model] : []), ...(body.models ?? [])],
        fallbackModels: body.fallback_models,
        stream: body.stream ?? false,
        temperature: body.temperature ?? undefined,
        maxTokens: body.max_completion_tokens ?? body.max_tokens ?? undefined,
        maxRetries: body.max_retries,
        search: body.web_search_options != null,
        conversationId: body.conversation_id,
        strategy: body.strategy,
      },
      includeUsage: body.stream_options?.include_usage === true,
    }),
  );

/** A validated Chat Completions request: ours, plus what only the OpenAI wire format needs. */
export interface OpenAIChatRequest {
  request: CompletionRequest;
  /** `stream_options.include_usage`: end the stream with a usage chunk. */
  includeUsage: boolean;
}

const paramOf = (issue: z.core.$ZodIssue): string | null => {
  const path = issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys[0]] : issue.path;
  return path.length > 0 ? path.join('.') : null;
};

const codeOf = (issue: z.core.$ZodIssue): string => {
  if (issue.code === 'unrecognized_keys') return 'unknown_parameter';
  const hinted: unknown = issue.code === 'custom' ? issue.params?.openaiCode : undefined;
  return typeof hinted === 'string' ? hinted : 'invalid_value';
};

/** Parses the body, or throws 400 naming every offending field (the first as OpenAI's `param`). */
export function parseChatCompletionBody(body: unknown): OpenAIChatRequest {
  const parsed = chatCompletionBodySchema.safeParse(body);
  if (parsed.success) return parsed.data;
  const problems = describeValidationIssues(parsed.error);
  const [first] = parsed.error.issues;
  throw new GatewayError('invalid_request', `invalid request: ${problems.join('; ')}`, {
    fields: problems,
    param: first ? paramOf(first) : null,
    openaiCode: first ? codeOf(first) : 'invalid_value',
  });
}
