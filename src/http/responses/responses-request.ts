import { z } from 'zod';
import {
  type CompletionRequest,
  checkToolFields,
  completionFieldSchemas,
  modelIdSchema,
} from '../../core/completion-request.js';
import { type ResponseFormat, reasoningEfforts, type ToolDefinition } from '../../core/generation-options.js';
import { isEmpty, isNullish, neutralOnly, oneOf } from '../openai/openai-parameters.js';
import {
  checkedBy,
  type IssuePath,
  openAIValidationError,
  renamingContext,
  withoutNulls,
} from '../openai/shared-rules.js';
import { type InputItem, inputItemSchema } from './input-items.js';

const { models, fallbackModels, maxTokens, maxRetries, strategy, temperature, topP } = completionFieldSchemas;
const sharedTool = completionFieldSchemas.tools.unwrap().element;
const sharedResponseFormat = completionFieldSchemas.responseFormat as z.ZodType<ResponseFormat | undefined>;

/** OpenAI's hosted web search tools: they ask for a grounded answer (`search: true`). */
const webSearchTools = [
  'web_search',
  'web_search_preview',
  'web_search_2025_08_26',
  'web_search_preview_2025_03_11',
];

const functionToolSchema = z
  .object({ type: z.literal('function') })
  .loose()
  .transform(({ type: _function, ...fields }) => withoutNulls(fields))
  .transform(checkedBy(sharedTool));

/** A tool as the response object repeats it. */
export type EchoedTool = Record<string, unknown> & { type: string };

const toolSchema = z
  .custom<EchoedTool>(
    (tool) =>
      typeof tool === 'object' && tool !== null && typeof (tool as { type?: unknown }).type === 'string',
    'must be a tool object with a "type"',
  )
  .superRefine((tool, ctx) => {
    if (tool.type !== 'function' && !webSearchTools.includes(tool.type))
      ctx.addIssue({
        code: 'custom',
        path: ['type'],
        message: `"${tool.type}" tools are not supported: send "function" tools (or "web_search" for a grounded answer)`,
        params: { openaiCode: 'unsupported_parameter' },
      });
  });

const toolChoiceSchema = z.union(
  [
    z.enum(['auto', 'none', 'required']),
    z.object({ type: z.literal('function'), name: z.string() }).transform(({ name }) => ({ name })),
  ],
  {
    error:
      'must be "auto", "none", "required" or {"type":"function","name":"<tool>"} (allowed_tools and built-in tool choices are not supported)',
  },
);

const textSchema = z.strictObject({
  format: z
    .record(z.string(), z.unknown(), { error: 'must be {"type":"text" | "json_object" | "json_schema", …}' })
    .nullish()
    .transform((format) => (format == null ? undefined : withoutNulls(format)))
    .transform(checkedBy(sharedResponseFormat)),
  verbosity: neutralOnly(oneOf('medium'), 'must be "medium": verbosity cannot be set'),
});

const reasoningSchema = z.strictObject({
  effort: z
    .enum(['none', ...reasoningEfforts], { error: 'must be "none", "minimal", "low", "medium" or "high"' })
    .nullish(),
  // Whatever reasoning text the provider returns is sent as the summary.
  summary: z.enum(['auto', 'concise', 'detailed']).nullish(),
  generate_summary: z.enum(['auto', 'concise', 'detailed']).nullish(),
});

const ignoredInclusions = [
  'reasoning.encrypted_content',
  'web_search_call.action.sources',
  'web_search_call.results',
];

/**
 * `POST /v1/responses` body: OpenAI's Responses request, plus Switchyard's routing fields
 * (`models`, `fallback_models`, `max_retries`, `strategy`). OpenAI accepts `null` for every
 * optional parameter, so we do too.
 */
const responsesBodySchema = z
  .strictObject({
    model: modelIdSchema.optional(),
    models: models.optional(),
    input: z.union([z.string(), z.array(inputItemSchema)], {
      error: 'must be a string or an array of input items',
    }),
    instructions: z.string().nullish(),
    tools: z.array(toolSchema).nullish(),
    tool_choice: toolChoiceSchema.nullish(),
    parallel_tool_calls: z.boolean().nullish(),
    text: textSchema.nullish(),
    reasoning: reasoningSchema.nullish(),
    max_output_tokens: maxTokens.nullable(),
    temperature: temperature.nullable(),
    top_p: topP.nullable(),
    stream: z.boolean().nullish(),
    stream_options: z.strictObject({ include_obfuscation: z.boolean().nullish() }).nullish(),
    store: z.boolean().nullish(),
    previous_response_id: z.string().min(1, 'must not be empty').nullish(),
    metadata: z.record(z.string(), z.string()).nullish(),
    truncation: neutralOnly(
      oneOf('disabled'),
      'must be "disabled": the context is never cut (a request too long for a model goes to one with a larger window)',
    ),
    include: z
      .array(
        z.enum(ignoredInclusions, {
          error: `must list only ${ignoredInclusions.map((value) => `"${value}"`).join(', ')} (log probabilities and hosted tool outputs are not available)`,
        }),
      )
      .nullish(),
    // Identifiers and hints for OpenAI's own monitoring and caching: ignoring them changes no answer.
    user: z.string().nullish(),
    safety_identifier: z.string().nullish(),
    prompt_cache_key: z.string().nullish(),
    prompt_cache_retention: z.string().nullish(),
    background: neutralOnly(oneOf(false), 'is not supported: responses are answered while you wait'),
    conversation: neutralOnly(isNullish, 'is not supported: continue with previous_response_id'),
    prompt: neutralOnly(isNullish, 'is not supported: stored prompts are not available'),
    max_tool_calls: neutralOnly(isNullish, 'is not supported: Switchyard runs no built-in tools'),
    top_logprobs: neutralOnly(oneOf(0), 'is not supported: log probabilities are not available'),
    service_tier: neutralOnly(
      oneOf('auto', 'default'),
      'must be "auto" or "default": service tiers are not available',
    ),
    context_management: neutralOnly(isEmpty, 'is not supported: context management is not available'),
    fallback_models: fallbackModels,
    max_retries: maxRetries,
    strategy,
  })
  .superRefine((body, ctx) => {
    if (body.model === undefined && body.models === undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['model'],
        message: 'is required: a "provider/model" id such as "openai/gpt-4o" (or a "models" list)',
        params: { openaiCode: 'missing_required_parameter' },
      });
    if (body.stream_options != null && body.stream !== true)
      ctx.addIssue({
        code: 'custom',
        path: ['stream_options'],
        message: 'is only allowed when stream is true',
      });
  })
  .transform((body, ctx): ResponsesRequest => {
    const functionTools: ToolDefinition[] = [];
    /** The body index of each function tool, to report its issues where the client sent it. */
    const positions: number[] = [];
    for (const [index, tool] of (body.tools ?? []).entries()) {
      if (tool.type !== 'function') continue;
      const parsed = functionToolSchema.safeParse(tool);
      if (!parsed.success) {
        for (const issue of parsed.error.issues)
          ctx.addIssue({ ...issue, path: ['tools', index, ...issue.path] } as z.core.$ZodSuperRefineIssue);
        continue;
      }
      functionTools.push(parsed.data);
      positions.push(index);
    }
    const toolChoice = body.tool_choice ?? undefined;
    checkToolFields(
      { tools: functionTools, toolChoice },
      renamingContext(ctx, ([field, index, ...rest]: IssuePath): IssuePath => {
        if (field === 'tools') return ['tools', positions[index as number] ?? index!, ...rest];
        if (field === 'toolChoice') return ['tool_choice', ...(index === undefined ? [] : [index]), ...rest];
        return [field!, ...(index === undefined ? [] : [index]), ...rest];
      }),
    );
    const effort = body.reasoning?.effort;
    const store = body.store ?? true;
    return {
      base: {
        // `model` leads the pool when both are given, as the primary choice.
        models: [...(body.model ? [body.model] : []), ...(body.models ?? [])],
        fallbackModels: body.fallback_models,
        stream: body.stream ?? false,
        maxRetries: body.max_retries,
        strategy: body.strategy,
        search: (body.tools ?? []).some((tool) => tool.type !== 'function'),
        temperature: body.temperature ?? undefined,
        topP: body.top_p ?? undefined,
        maxTokens: body.max_output_tokens ?? undefined,
        reasoning: effort && effort !== 'none' ? { effort } : undefined,
        tools: functionTools.length > 0 ? functionTools : undefined,
        toolChoice,
        parallelToolCalls: body.parallel_tool_calls ?? undefined,
        responseFormat: body.text?.format,
        instructions: body.instructions ?? undefined,
        store,
      },
      input: body.input,
      previousResponseId: body.previous_response_id ?? undefined,
      settings: {
        instructions: body.instructions ?? null,
        max_output_tokens: body.max_output_tokens ?? null,
        metadata: body.metadata ?? {},
        parallel_tool_calls: body.parallel_tool_calls ?? true,
        previous_response_id: body.previous_response_id ?? null,
        reasoning: { effort: body.reasoning?.effort ?? null, summary: body.reasoning?.summary ?? null },
        store,
        temperature: body.temperature ?? null,
        text: { format: body.text?.format ?? { type: 'text' }, verbosity: 'medium' },
        tool_choice: body.tool_choice
          ? typeof body.tool_choice === 'string'
            ? body.tool_choice
            : { type: 'function', name: body.tool_choice.name }
          : 'auto',
        tools: (body.tools ?? []).map((tool) => withoutNulls(tool) as EchoedTool),
        top_p: body.top_p ?? null,
        truncation: 'disabled',
        user: body.user ?? null,
      },
    };
  });

/** The request's settings, as the response object repeats them (OpenAI's names and defaults). */
export interface ResponseSettings {
  instructions: string | null;
  max_output_tokens: number | null;
  metadata: Record<string, string>;
  parallel_tool_calls: boolean;
  previous_response_id: string | null;
  reasoning: { effort: string | null; summary: string | null };
  store: boolean;
  temperature: number | null;
  text: { format: ResponseFormat; verbosity: 'medium' };
  tool_choice: 'auto' | 'none' | 'required' | { type: 'function'; name: string };
  tools: EchoedTool[];
  top_p: number | null;
  truncation: 'disabled';
  user: string | null;
}

/** A validated Responses request: ours without the messages (they may need stored items), and the wire's own parts. */
export interface ResponsesRequest {
  base: Omit<CompletionRequest, 'messages' | 'conversationId'>;
  input: string | InputItem[];
  previousResponseId: string | undefined;
  settings: ResponseSettings;
}

/** Parses the body, or throws 400 naming every offending field (the first as OpenAI's `param`). */
export function parseResponsesBody(body: unknown): ResponsesRequest {
  const parsed = responsesBodySchema.safeParse(body);
  if (parsed.success) return parsed.data;
  throw openAIValidationError(parsed.error);
}
