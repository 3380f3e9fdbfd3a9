import { z } from 'zod';
import {
  type CompletionRequest,
  completionFieldSchemas,
  describeValidationIssues,
  modelIdSchema,
} from '../../core/completion-request.js';
import { GatewayError } from '../../core/gateway-error.js';
import type { ReasoningEffort, ReasoningSetting, ResponseFormat } from '../../core/generation-options.js';
import type { ChatMessage } from '../../core/messages.js';
import {
  anthropicMessageSchema,
  systemSchema,
  toChatMessages,
  toSystemMessage,
} from './anthropic-content.js';
import {
  asksForWebSearch,
  checkAnthropicTools,
  parallelToolCallsOf,
  toolChoiceSchema,
  toolsSchema,
  toToolChoice,
  toToolDefinitions,
} from './anthropic-tools.js';

const { models, fallbackModels, maxRetries, conversationId, strategy, topP, topK, stop } =
  completionFieldSchemas;

const hint = z.unknown().optional();

const thinkingSchema = z.discriminatedUnion(
  'type',
  [
    z.strictObject({
      type: z.literal('enabled'),
      budget_tokens: z.int().min(1024, 'must be at least 1024, as Anthropic requires'),
      display: hint,
    }),
    z.strictObject({ type: z.literal('disabled') }),
    z.strictObject({ type: z.literal('adaptive'), display: hint }),
  ],
  { error: 'must be {"type":"enabled","budget_tokens":n}, {"type":"adaptive"} or {"type":"disabled"}' },
);

const outputConfigSchema = z.strictObject({
  format: z
    .strictObject({
      type: z.literal('json_schema'),
      schema: z.record(z.string(), z.unknown(), { error: 'must be a JSON Schema object' }),
    })
    .nullish(),
  effort: z.enum(['low', 'medium', 'high', 'xhigh', 'max']).nullish(),
});

/** The fields that say what to answer: shared by `/v1/messages` and `/v1/messages/count_tokens`. */
const promptFields = {
  model: modelIdSchema.optional(),
  models: models.optional(),
  messages: z.array(anthropicMessageSchema).min(1, 'must have at least one message'),
  system: systemSchema.optional(),
  tools: toolsSchema.optional(),
  tool_choice: toolChoiceSchema.optional(),
  thinking: thinkingSchema.optional(),
  output_config: outputConfigSchema.optional(),
  // A prompt-caching breakpoint for the whole request: a hint, accepted and ignored.
  cache_control: hint,
};

/**
 * `POST /v1/messages` body: Anthropic's Messages request, plus Switchyard's routing fields
 * (`models`, `fallback_models`, `max_retries`, `conversation_id`, `strategy`).
 */
const messagesBodySchema = z
  .strictObject({
    ...promptFields,
    max_tokens: z.int({ error: 'is required: an integer ≥ 1' }).min(1, 'must be at least 1'),
    stream: z.boolean().optional(),
    stop_sequences: z.preprocess(
      (value) => (Array.isArray(value) && value.length === 0 ? undefined : value),
      stop,
    ),
    temperature: z.number().min(0, 'must be between 0 and 1').max(1, 'must be between 0 and 1').optional(),
    top_p: topP,
    top_k: topK,
    // Anthropic's abuse-monitoring id and capacity tier: they change no answer.
    metadata: z.strictObject({ user_id: z.string().nullish() }).optional(),
    service_tier: z.enum(['auto', 'standard_only']).optional(),
    fallback_models: fallbackModels,
    max_retries: maxRetries,
    conversation_id: conversationId,
    strategy,
  })
  .superRefine((body, ctx) => {
    checkPrompt(body, ctx);
    if (body.model === undefined && body.models === undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['model'],
        message:
          'is required: a "provider/model" id such as "anthropic/claude-sonnet-4-5" (or a "models" list)',
      });
    if (body.thinking?.type === 'enabled' && body.thinking.budget_tokens >= body.max_tokens)
      ctx.addIssue({
        code: 'custom',
        path: ['thinking', 'budget_tokens'],
        message: 'must be less than max_tokens',
      });
  })
  .transform(
    (body): CompletionRequest => ({
      messages: toMessages(body),
      // `model` leads the pool when both are given, as the primary choice.
      models: [...(body.model ? [body.model] : []), ...(body.models ?? [])],
      fallbackModels: body.fallback_models,
      stream: body.stream ?? false,
      maxTokens: body.max_tokens,
      maxRetries: body.max_retries,
      search: asksForWebSearch(body.tools ?? []),
      conversationId: body.conversation_id,
      strategy: body.strategy,
      temperature: body.temperature,
      topP: body.top_p,
      topK: body.top_k,
      stop: body.stop_sequences,
      ...generationOptions(body),
    }),
  );

/** `POST /v1/messages/count_tokens` body: what the prompt is made of, nothing about the answer. */
const countTokensBodySchema = z
  .strictObject(promptFields)
  .superRefine(checkPrompt)
  .transform((body) => ({ messages: toMessages(body), tools: toToolDefinitions(body.tools ?? []) }));

type PromptBody = z.infer<z.ZodObject<typeof promptFields>>;

function checkPrompt(body: PromptBody, ctx: z.RefinementCtx): void {
  checkAnthropicTools(body.tools ?? [], body.tool_choice, ctx);
  if (body.output_config?.effort != null && body.thinking?.type !== 'adaptive')
    ctx.addIssue({
      code: 'custom',
      path: ['output_config', 'effort'],
      message: 'is only supported with thinking {"type":"adaptive"} (send thinking.budget_tokens otherwise)',
    });
}

/** `system` first, then each message's turns (a user turn with tool results becomes several). */
const toMessages = (body: PromptBody): ChatMessage[] => [
  ...toSystemMessage(body.system),
  ...body.messages.flatMap(toChatMessages),
];

const effortOf = (effort: string | null | undefined): ReasoningEffort =>
  effort === 'low' || effort === 'medium' ? effort : effort == null ? 'medium' : 'high';

/** `thinking` as our reasoning setting: a budget, or (adaptive) an effort. */
function reasoningOf(body: PromptBody): ReasoningSetting | undefined {
  switch (body.thinking?.type) {
    case 'enabled':
      return { maxTokens: body.thinking.budget_tokens };
    case 'adaptive':
      return { effort: effortOf(body.output_config?.effort) };
    default:
      return undefined;
  }
}

function generationOptions(body: PromptBody) {
  const tools = toToolDefinitions(body.tools ?? []);
  const format = body.output_config?.format;
  const responseFormat: ResponseFormat | undefined = format
    ? { type: 'json_schema', name: 'output', schema: format.schema }
    : undefined;
  return {
    tools: tools.length > 0 ? tools : undefined,
    toolChoice: body.tool_choice && tools.length > 0 ? toToolChoice(body.tool_choice) : undefined,
    parallelToolCalls: parallelToolCallsOf(body.tool_choice),
    reasoning: reasoningOf(body),
    responseFormat,
  };
}

function invalid(error: z.ZodError): GatewayError {
  const problems = describeValidationIssues(error);
  return new GatewayError('invalid_request', `invalid request: ${problems.join('; ')}`, { fields: problems });
}

/** Parses a Messages body, or throws 400 naming every offending field. */
export function parseMessagesBody(body: unknown): CompletionRequest {
  const parsed = messagesBodySchema.safeParse(body);
  if (!parsed.success) throw invalid(parsed.error);
  return parsed.data;
}

/** Parses a count_tokens body, or throws 400 naming every offending field. */
export function parseCountTokensBody(body: unknown) {
  const parsed = countTokensBodySchema.safeParse(body);
  if (!parsed.success) throw invalid(parsed.error);
  return parsed.data;
}
