import { z } from 'zod';
import { builder } from '../builder.js';
import { type CompletionInputRequest, completionInputSchema } from '../completion-input-rules.js';
import { ContentPartType, MessageRole } from './message.js';
import { RoutingStrategy } from './routing-strategy.js';

const ContentPartInput = builder.inputType('ContentPartInput', {
  description:
    'A `TEXT` or `REASONING` part carries `text`; an `IMAGE_URL` part `imageUrl` (https or data URL); a `TOOL_CALL` part (assistant turns) `id`, `name` and `arguments`.',
  fields: (t) => ({
    type: t.field({ type: ContentPartType, required: true }),
    text: t.string(),
    imageUrl: t.string(),
    id: t.string(),
    name: t.string(),
    arguments: t.string({ description: 'The JSON text of the call’s arguments.' }),
  }),
});

const MessageInput = builder.inputType('MessageInput', {
  fields: (t) => ({
    role: t.field({ type: MessageRole, required: true }),
    content: t.field({ type: [ContentPartInput], required: true }),
    toolCallId: t.string({ description: 'A `TOOL` turn: the id of the call it answers.' }),
  }),
});

const ToolInput = builder.inputType('ToolInput', {
  description: 'A tool the model may call.',
  fields: (t) => ({
    name: t.string({ required: true, description: 'Matches ^[a-zA-Z0-9_-]{1,64}$; unique.' }),
    description: t.string(),
    parameters: t.field({ type: 'JSON', description: 'A JSON Schema object.' }),
    strict: t.boolean(),
  }),
});

const ResponseFormatInput = builder.inputType('ResponseFormatInput', {
  description: '`{type: "text"}`, `{type: "json_object"}` or `{type: "json_schema", name, schema, strict}`.',
  fields: (t) => ({
    type: t.string({ required: true }),
    name: t.string(),
    description: t.string(),
    schema: t.field({ type: 'JSON' }),
    strict: t.boolean(),
  }),
});

const ReasoningInput = builder.inputType('ReasoningInput', {
  description: 'One of `effort` (minimal, low, medium, high) or `maxTokens`.',
  fields: (t) => ({ effort: t.string(), maxTokens: t.int() }),
});

/** The rules are REST's (SPEC §2), checked by the shared zod schemas through plugin-zod. */
export const CompletionInput = builder.inputType('CompletionInput', {
  description: 'One completion request; the same rules as `POST /api/v1/completions`.',
  fields: (t) => ({
    messages: t.field({ type: [MessageInput], required: true }),
    models: t.stringList({
      required: true,
      description: '`provider/model`, `group/<name>` or `auto`: the pool the router chooses from.',
    }),
    fallbackModels: t.stringList({ description: 'Tried in order after every model of the pool failed.' }),
    temperature: t.float({ description: '0 to 1.' }),
    maxTokens: t.int({ description: 'At least 1.' }),
    maxRetries: t.int({ description: '0 to 10, default 2: retries of one model before moving on.' }),
    search: t.boolean({ description: 'Ground the answer in web search results.' }),
    conversationId: t.id({ description: 'A conversation of yours to continue.' }),
    strategy: t.field({ type: RoutingStrategy, description: "The server's default when omitted." }),
    maxCostUsd: t.float({
      description: 'Excludes candidates whose expected cost of this request is higher (US dollars).',
    }),
    maxTtftMs: t.int({
      description: 'Excludes candidates whose observed p95 time to first token is higher.',
    }),
    topP: t.float({ description: '0 to 1.' }),
    topK: t.int({ description: 'At least 1.' }),
    stop: t.stringList({ description: 'At most 4 non-empty stop sequences.' }),
    seed: t.int(),
    frequencyPenalty: t.float({ description: '−2 to 2.' }),
    presencePenalty: t.float({ description: '−2 to 2.' }),
    reasoning: t.field({ type: ReasoningInput, description: 'Only models that reason are eligible.' }),
    tools: t.field({ type: [ToolInput] }),
    toolChoice: t.field({ type: 'JSON', description: '"auto", "none", "required" or {"name": "<tool>"}.' }),
    parallelToolCalls: t.boolean({ description: 'False asks for at most one call per turn.' }),
    responseFormat: t.field({ type: ResponseFormatInput }),
  }),
});

type CompletionInputShape = typeof CompletionInput.$inferInput;

/**
 * The `input` argument of `completion` and `completionStream`. plugin-zod checks it
 * against the shared REST rules before the resolver runs and reports every offending
 * field; the argument keeps its GraphQL shape (plugin-zod cannot type a transform).
 */
export const completionInputArg = {
  type: CompletionInput,
  required: true,
  validate: {
    schema: z.custom<CompletionInputShape>().check((check) => {
      const result = completionInputSchema.safeParse(check.value);
      if (result.success) return;
      for (const issue of result.error.issues) {
        const keys = issue.code === 'unrecognized_keys' ? issue.keys : [undefined];
        for (const key of keys) {
          const path = key === undefined ? issue.path : [...issue.path, key];
          const message = key === undefined ? issue.message : 'not allowed in this part';
          check.issues.push({ code: 'custom', path, message, input: check.value });
        }
      }
    }),
  },
} as const;

/** The validated request: the same parse plugin-zod already passed, now with its output type. */
export const toCompletionInputRequest = (input: CompletionInputShape): CompletionInputRequest =>
  completionInputSchema.parse(input);
