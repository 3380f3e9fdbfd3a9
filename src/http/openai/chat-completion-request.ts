import { z } from 'zod';
import {
  type CompletionRequest,
  completionFieldSchemas,
  modelIdSchema,
} from '../../core/completion-request.js';
import {
  type ReasoningEffort,
  type ReasoningSetting,
  reasoningEfforts,
} from '../../core/generation-options.js';
import type { ChatMessage } from '../../core/messages.js';
import { openaiMessageSchema } from './openai-message.js';
import { ignoredParameters, unsupportedParameters } from './openai-parameters.js';
import {
  checkOpenAIToolFields,
  openaiResponseFormatSchema,
  openaiToolChoiceSchema,
  openaiToolsSchema,
} from './openai-tools.js';
import { checkedBy, openAIValidationError } from './shared-rules.js';

const {
  models,
  fallbackModels,
  maxTokens,
  maxRetries,
  conversationId,
  strategy,
  maxCostUsd,
  maxTtftMs,
  temperature,
  topP,
  topK,
  stop,
  seed,
  frequencyPenalty,
  presencePenalty,
  reasoning,
} = completionFieldSchemas;

const efforts: readonly string[] = reasoningEfforts;

/** The most choices (`n`) one request may ask for: each is a whole answer, billed. */
const maxChoices = 8;

/** `reasoning_effort`: the portable efforts; OpenAI's newer `none` and `xhigh` have no match elsewhere. */
const reasoningEffortSchema = z
  .enum([...reasoningEfforts, 'none', 'xhigh'], {
    error: 'must be "minimal", "low", "medium" or "high"',
  })
  .refine((effort) => efforts.includes(effort), {
    message:
      'must be "minimal", "low", "medium" or "high": "none" and "xhigh" are OpenAI-only efforts that other providers have no match for',
    params: { openaiCode: 'unsupported_value' },
  })
  .transform((effort) => effort as ReasoningEffort)
  .nullish();

/**
 * Switchyard's extension, as OpenRouter spells it: `reasoning: {effort}` or
 * `reasoning: {max_tokens}` (a thinking budget, for the providers that take one).
 */
const reasoningExtensionSchema = z
  .record(z.string(), z.unknown(), { error: 'must be {"effort": …} or {"max_tokens": n}' })
  .nullish()
  .transform((setting) => {
    if (setting == null || !('max_tokens' in setting)) return setting ?? undefined;
    const { max_tokens, ...rest } = setting;
    return { ...rest, maxTokens: max_tokens };
  })
  .transform(
    checkedBy(reasoning, (path) => (path[0] === 'maxTokens' ? ['max_tokens', ...path.slice(1)] : path)),
  );

/** `stop`: a string or up to 4; `null` and `[]` mean none. */
const stopSchema = z.preprocess(
  (value) => (value === null || (Array.isArray(value) && value.length === 0) ? undefined : value),
  stop,
);

/**
 * `POST /v1/chat/completions` body: OpenAI's Chat Completions request, plus Switchyard's
 * own fields (`models`, `fallback_models`, `max_retries`, `conversation_id`, `strategy`,
 * `top_k`, `reasoning`). OpenAI accepts `null` for every optional parameter, so we do too.
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
    temperature: temperature.nullable(),
    top_p: topP.nullable(),
    top_k: topK.nullable(),
    stop: stopSchema,
    seed: seed.nullable(),
    frequency_penalty: frequencyPenalty.nullable(),
    presence_penalty: presencePenalty.nullable(),
    max_tokens: maxTokens.nullable(),
    max_completion_tokens: maxTokens.nullable(),
    reasoning_effort: reasoningEffortSchema,
    reasoning: reasoningExtensionSchema,
    tools: openaiToolsSchema,
    tool_choice: openaiToolChoiceSchema,
    parallel_tool_calls: z.boolean().nullish(),
    response_format: openaiResponseFormatSchema,
    // Capabilities (SPEC §8): only models that have them are eligible.
    n: z.number().int().min(1).max(maxChoices, `must be at most ${maxChoices}`).nullish(),
    logprobs: z.boolean().nullish(),
    top_logprobs: z.number().int().min(0).max(20).nullish(),
    // Any web search options ask for a grounded answer; their details are not portable.
    web_search_options: z.record(z.string(), z.unknown()).nullish(),
    fallback_models: fallbackModels,
    max_retries: maxRetries,
    conversation_id: conversationId,
    strategy,
    // Switchyard's routing bounds (SPEC §10).
    max_cost_usd: maxCostUsd,
    max_ttft_ms: maxTtftMs,
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
    if (body.reasoning_effort != null && body.reasoning !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['reasoning'],
        message: 'and reasoning_effort are both set: send one of them',
      });
    }
    if (body.top_logprobs != null && body.logprobs !== true) {
      ctx.addIssue({
        code: 'custom',
        path: ['top_logprobs'],
        message: 'requires logprobs: true',
      });
    }
    if (body.n != null && body.n > 1 && body.tools !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['n'],
        message: 'must be 1 with tools: only one choice may call tools',
        params: { openaiCode: 'unsupported_value' },
      });
    }
    checkOpenAIToolFields({ tools: body.tools, toolChoice: body.tool_choice }, ctx);
    // With a conversation_id the calls may be in the stored turns: the service checks those.
    if (body.conversation_id === undefined) checkToolCallIds(body.messages, ctx);
  })
  .transform((body): OpenAIChatRequest => {
    const hasTools = body.tools !== undefined;
    return {
      request: {
        messages: body.messages,
        // `model` leads the pool when both are given, as the primary choice.
        models: [...(body.model ? [body.model] : []), ...(body.models ?? [])],
        fallbackModels: body.fallback_models,
        stream: body.stream ?? false,
        temperature: body.temperature ?? undefined,
        topP: body.top_p ?? undefined,
        topK: body.top_k ?? undefined,
        stop: body.stop,
        seed: body.seed ?? undefined,
        frequencyPenalty: body.frequency_penalty ?? undefined,
        presencePenalty: body.presence_penalty ?? undefined,
        maxTokens: body.max_completion_tokens ?? body.max_tokens ?? undefined,
        reasoning: reasoningOf(body.reasoning_effort, body.reasoning),
        tools: body.tools,
        // Without tools, "auto", "none" and parallel_tool_calls mean nothing (and OpenAI
        // itself refuses them there); many clients send them anyway.
        toolChoice: hasTools ? body.tool_choice : undefined,
        parallelToolCalls: hasTools ? (body.parallel_tool_calls ?? undefined) : undefined,
        responseFormat: body.response_format?.type === 'text' ? undefined : body.response_format,
        logprobs: body.logprobs === true ? { top: body.top_logprobs ?? 0 } : undefined,
        choices: body.n != null && body.n > 1 ? body.n : undefined,
        maxRetries: body.max_retries,
        search: body.web_search_options != null,
        conversationId: body.conversation_id,
        strategy: body.strategy,
        maxCostUsd: body.max_cost_usd,
        maxTtftMs: body.max_ttft_ms,
      },
      includeUsage: body.stream_options?.include_usage === true,
    };
  });

const reasoningOf = (
  effort: ReasoningEffort | null | undefined,
  setting: ReasoningSetting | undefined,
): ReasoningSetting | undefined => (effort == null ? setting : { effort });

/** Every `tool` message answers a call of an earlier assistant message (SPEC §6), named as OpenAI does. */
function checkToolCallIds(messages: readonly ChatMessage[], ctx: z.core.$RefinementCtx): void {
  const calls = new Set<string>();
  for (const [index, message] of messages.entries()) {
    for (const part of message.content) if (part.type === 'tool_call') calls.add(part.id);
    if (message.role === 'tool' && message.toolCallId !== undefined && !calls.has(message.toolCallId))
      ctx.addIssue({
        code: 'custom',
        path: ['messages', index, 'tool_call_id'],
        message: `"${message.toolCallId}" matches no tool_calls id of an earlier assistant message`,
      });
  }
}

/** A validated Chat Completions request: ours, plus what only the OpenAI wire format needs. */
export interface OpenAIChatRequest {
  request: CompletionRequest;
  /** `stream_options.include_usage`: end the stream with a usage chunk. */
  includeUsage: boolean;
}

/** Parses the body, or throws 400 naming every offending field (the first as OpenAI's `param`). */
export function parseChatCompletionBody(body: unknown): OpenAIChatRequest {
  const parsed = chatCompletionBodySchema.safeParse(body);
  if (parsed.success) return parsed.data;
  throw openAIValidationError(parsed.error);
}
