import { z } from 'zod';
import { routingStrategies } from '../config/config-schema.js';
import {
  type GenerationOptions,
  type ResponseFormat,
  reasoningEfforts,
  type ToolChoice,
  type ToolDefinition,
} from './generation-options.js';
import type { ChatMessage } from './messages.js';
import { autoModelId, type ModelRef, modelIdPattern, parseModelRef } from './model-ref.js';

const isImageUrl = (url: string): boolean =>
  /^https:\/\/\S+$/.test(url) || /^data:image\/[\w.+-]+;base64,/.test(url);

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Tool and schema names, as OpenAI, Anthropic and Gemini all accept them. */
export const toolNamePattern = /^[a-zA-Z0-9_-]{1,64}$/;
const toolNameSchema = z.string().regex(toolNamePattern, 'must match ^[a-zA-Z0-9_-]{1,64}$');

const textPartSchema = z.strictObject({ type: z.literal('text'), text: z.string() });
const imagePartSchema = z.strictObject({
  type: z.literal('image_url'),
  image_url: z.strictObject({
    url: z.string().refine(isImageUrl, 'must be an https URL or a data:image/…;base64 URL'),
  }),
});
const toolCallPartSchema = z.strictObject({
  type: z.literal('tool_call'),
  id: z.string().min(1, 'must not be empty'),
  name: toolNameSchema,
  arguments: z.string(),
});
const reasoningPartSchema = z.strictObject({ type: z.literal('reasoning'), text: z.string() });
const contentPartSchema = z.discriminatedUnion(
  'type',
  [textPartSchema, imagePartSchema, toolCallPartSchema, reasoningPartSchema],
  { error: 'must be a part of type "text", "image_url", "tool_call" or "reasoning"' },
);

/** Which part types each role may carry. */
const partsByRole: Record<ChatMessage['role'], ReadonlySet<string>> = {
  system: new Set(['text']),
  user: new Set(['text', 'image_url']),
  assistant: new Set(['text', 'tool_call', 'reasoning']),
  tool: new Set(['text']),
};

export const messageSchema = z
  .strictObject({
    role: z.enum(['system', 'user', 'assistant', 'tool']),
    // A plain string is one text part; anything else must be an array of parts.
    content: z.preprocess(
      (content) => (typeof content === 'string' ? [{ type: 'text', text: content }] : content),
      z.array(contentPartSchema, { error: 'must be a string or an array of content parts' }),
    ),
    toolCallId: z.string().min(1, 'must not be empty').optional(),
  })
  .superRefine((message, ctx) => {
    const allowed = partsByRole[message.role];
    for (const [index, part] of message.content.entries()) {
      if (!allowed.has(part.type))
        ctx.addIssue({
          code: 'custom',
          path: ['content', index, 'type'],
          message: `"${part.type}" is not allowed in a ${message.role} message`,
        });
    }
    // An assistant turn may be tool calls only; every other turn needs some content.
    if (message.content.length === 0)
      ctx.addIssue({ code: 'custom', path: ['content'], message: 'must have at least one part' });
    if (message.role === 'tool' && message.toolCallId === undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['toolCallId'],
        message: 'is required in a tool message: the id of the call it answers',
      });
    if (message.role !== 'tool' && message.toolCallId !== undefined)
      ctx.addIssue({ code: 'custom', path: ['toolCallId'], message: 'is only allowed in a tool message' });
  })
  .transform((message): ChatMessage => message);

/** `provider/model`, `group/<name>` (a pool of the config's `groups:`) or `auto` (SPEC §10). */
export const modelIdSchema = z
  .string()
  .refine(
    (id) => id === autoModelId || modelIdPattern.test(id),
    'must be "provider/model" (e.g. "openai/gpt-4o"), "group/<name>" or "auto"',
  )
  .transform(parseModelRef);

const jsonSchemaObject = z.custom<Record<string, unknown>>(
  (value) => isRecord(value) && (value.type === undefined || value.type === 'object'),
  'must be a JSON Schema object ({"type":"object",…})',
);

const toolSchema = z
  .strictObject({
    name: toolNameSchema,
    description: z.string().optional(),
    parameters: jsonSchemaObject.default({ type: 'object', properties: {} }),
    strict: z.boolean().optional(),
  })
  .transform((tool): ToolDefinition => tool);

const toolChoiceSchema = z.union(
  [z.enum(['auto', 'none', 'required']), z.strictObject({ name: toolNameSchema })],
  { error: 'must be "auto", "none", "required" or {"name": "<tool>"}' },
) as z.ZodType<ToolChoice>;

const responseFormatSchema = z.discriminatedUnion(
  'type',
  [
    z.strictObject({ type: z.literal('text') }),
    z.strictObject({ type: z.literal('json_object') }),
    z.strictObject({
      type: z.literal('json_schema'),
      name: toolNameSchema,
      description: z.string().optional(),
      schema: jsonSchemaObject,
      strict: z.boolean().optional(),
    }),
  ],
  { error: 'must be {"type":"text"}, {"type":"json_object"} or {"type":"json_schema","name","schema"}' },
) as z.ZodType<ResponseFormat>;

const stopSchema = z.preprocess(
  (stop) => (typeof stop === 'string' ? [stop] : stop),
  z
    .array(z.string().min(1, 'must not be empty'), { error: 'must be a string or an array of strings' })
    .min(1, 'must have at least one sequence')
    .max(4, 'must have at most 4 sequences'),
);

const reasoningSchema = z.union(
  [
    z.strictObject({ effort: z.enum(reasoningEfforts) }),
    z.strictObject({ maxTokens: z.int().min(1, 'must be at least 1') }),
  ],
  { error: 'must be {"effort": "minimal" | "low" | "medium" | "high"} or {"maxTokens": n}' },
);

/**
 * The rules of a completion request (SPEC §2, §6, §7), one schema per field, shared by every
 * surface: REST names the fallback list `fallback_models`, GraphQL `fallbackModels`.
 */
export const completionFieldSchemas = {
  messages: z.array(messageSchema).min(1, 'must have at least one message'),
  models: z.array(modelIdSchema).min(1, 'must name at least one model'),
  fallbackModels: z.array(modelIdSchema).default([]),
  stream: z.boolean().default(false),
  temperature: z.number().min(0).max(2).optional(),
  maxTokens: z.int().min(1).optional(),
  maxRetries: z.int().min(0).max(10).default(2),
  search: z.boolean().default(false),
  conversationId: z.uuid('must be a UUID').optional(),
  strategy: z.enum(routingStrategies).optional(),
  /** SPEC §10: the most this request is expected to cost on a candidate, US dollars. */
  maxCostUsd: z.number().positive().optional(),
  /** SPEC §10: the highest observed p95 time to first token a candidate may have, ms. */
  maxTtftMs: z.int().positive().optional(),
  topP: z.number().min(0).max(1).optional(),
  topK: z.int().min(1).optional(),
  stop: stopSchema.optional(),
  seed: z.int().optional(),
  frequencyPenalty: z.number().min(-2).max(2).optional(),
  presencePenalty: z.number().min(-2).max(2).optional(),
  reasoning: reasoningSchema.optional(),
  tools: z.array(toolSchema).optional(),
  toolChoice: toolChoiceSchema.optional(),
  parallelToolCalls: z.boolean().optional(),
  responseFormat: responseFormatSchema.optional(),
};

/**
 * The rules across fields (SPEC §6): tool names unique, a named tool choice among the tools.
 * Whether a tool message answers an earlier call is checked once the stored turns are known.
 */
export function checkToolFields(
  request: Pick<GenerationOptions, 'tools' | 'toolChoice'>,
  ctx: z.RefinementCtx,
): void {
  const names = new Set<string>();
  for (const [index, tool] of (request.tools ?? []).entries()) {
    if (names.has(tool.name))
      ctx.addIssue({
        code: 'custom',
        path: ['tools', index, 'name'],
        message: `"${tool.name}" is used by an earlier tool: names must be unique`,
      });
    names.add(tool.name);
  }
  const choice = request.toolChoice;
  if (typeof choice === 'object' && !names.has(choice.name))
    ctx.addIssue({
      code: 'custom',
      path: ['toolChoice', 'name'],
      message: `"${choice.name}" is not one of the request's tools`,
    });
  if (choice === 'required' && names.size === 0)
    ctx.addIssue({ code: 'custom', path: ['toolChoice'], message: '"required" needs at least one tool' });
}

const { fallbackModels, ...sharedFields } = completionFieldSchemas;

/** `POST /api/v1/completions` body. */
export const restCompletionBodySchema = z
  .strictObject({ ...sharedFields, fallback_models: fallbackModels })
  .superRefine(checkToolFields)
  .transform(
    ({ fallback_models, ...rest }): CompletionRequest => ({ ...rest, fallbackModels: fallback_models }),
  );

/** A validated completion request, whatever surface it came from. */
export interface CompletionRequest extends GenerationOptions {
  messages: ChatMessage[];
  models: ModelRef[];
  fallbackModels: ModelRef[];
  stream: boolean;
  maxRetries: number;
  search: boolean;
  conversationId?: string | undefined;
  strategy?: (typeof routingStrategies)[number] | undefined;
  /** Bounds on the choice (SPEC §10): expected cost of this request, observed p95 time to first token. */
  maxCostUsd?: number | undefined;
  maxTtftMs?: number | undefined;
  /** System text sent before the conversation and never stored with it: it applies to this request only. */
  instructions?: string | undefined;
  /** `false`: store no conversation turns, only the completion (usage, cost, attempts). Default true. */
  store?: boolean | undefined;
}

/** One line per offending field, e.g. `messages.0.role: Invalid option…`. */
export const describeValidationIssues = (error: z.ZodError): string[] =>
  error.issues.map((issue) => {
    const path = issue.path.length > 0 ? issue.path.join('.') : 'body';
    if (issue.code === 'unrecognized_keys') {
      const prefix = issue.path.length > 0 ? `${path}.` : '';
      return issue.keys.map((key) => `${prefix}${key}: unknown field`).join('; ');
    }
    return `${path}: ${issue.message}`;
  });
