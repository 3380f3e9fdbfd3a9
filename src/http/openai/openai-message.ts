import { z } from 'zod';
import { messageSchema, toolNamePattern } from '../../core/completion-request.js';
import type { ContentPart } from '../../core/messages.js';
import { isNullish, legacyFunctions, neutralOnly } from './openai-parameters.js';

// Prompt-cache breakpoints are a caching hint: accepted on a part and ignored.
const cacheHint = z.unknown().optional();

const textPartSchema = z.strictObject({
  type: z.literal('text'),
  text: z.string(),
  prompt_cache_breakpoint: cacheHint,
});
const imagePartSchema = z.strictObject({
  type: z.literal('image_url'),
  image_url: z.strictObject({
    url: z.string(),
    // How finely the provider looks at the image; not portable, so ignored.
    detail: z.enum(['auto', 'low', 'high', 'original']).optional(),
  }),
  prompt_cache_breakpoint: cacheHint,
});

/** A string is one text part, as in every OpenAI message. */
const asParts = (content: unknown) =>
  typeof content === 'string' ? [{ type: 'text', text: content }] : content;

const userContentSchema = z.preprocess(
  asParts,
  z
    .array(
      z.discriminatedUnion('type', [textPartSchema, imagePartSchema], {
        error: 'must be a part of type "text" or "image_url" (audio and file parts are not supported)',
      }),
      { error: 'must be a string or an array of content parts' },
    )
    .min(1, 'must have at least one part'),
);

const textPartsSchema = z.array(
  z.discriminatedUnion('type', [textPartSchema], {
    error: 'must be a part of type "text" (refusal parts are not supported)',
  }),
  { error: 'must be a string or an array of text parts' },
);
const textContentSchema = z.preprocess(asParts, textPartsSchema.min(1, 'must have at least one part'));

const toContentPart = (
  part: z.infer<typeof textPartSchema> | z.infer<typeof imagePartSchema>,
): ContentPart =>
  part.type === 'text'
    ? { type: 'text', text: part.text }
    : { type: 'image_url', image_url: { url: part.image_url.url } };

/** `{id, type: "function", function: {name, arguments}}`: a call the assistant made earlier. */
const toolCallSchema = z.strictObject({
  id: z.string().min(1, 'must not be empty'),
  type: z.literal('function', { error: 'must be "function": only function tool calls are supported' }),
  function: z.strictObject({
    name: z.string().regex(toolNamePattern, 'must match ^[a-zA-Z0-9_-]{1,64}$'),
    arguments: z.string(),
  }),
});

const name = z.string().nullish();

const systemMessageSchema = z.strictObject({
  // `developer` is OpenAI's newer name for `system`.
  role: z.enum(['system', 'developer']),
  content: textContentSchema,
  name,
});

const userMessageSchema = z.strictObject({ role: z.literal('user'), content: userContentSchema, name });

const assistantMessageSchema = z
  .strictObject({
    role: z.literal('assistant'),
    // Null (or absent) when the turn only called tools.
    content: z.preprocess((content) => asParts(content ?? []), textPartsSchema),
    name,
    tool_calls: z.array(toolCallSchema).nullish(),
    // The reasoning a client got from us (DeepSeek's and OpenRouter's field) and sends back.
    reasoning_content: z.string().nullish(),
    // An earlier answer's citations, sent back with it as the openai clients keep it; not an input.
    annotations: z.array(z.unknown()).nullish(),
    refusal: neutralOnly(isNullish, 'is not supported in a request message'),
    function_call: neutralOnly(isNullish, legacyFunctions),
    audio: neutralOnly(isNullish, 'is not supported: audio is not available'),
  })
  .superRefine((message, ctx) => {
    if (message.content.length === 0 && !message.tool_calls?.length)
      ctx.addIssue({
        code: 'custom',
        path: ['content'],
        message: 'is required unless the message has tool_calls',
      });
  });

const toolMessageSchema = z.strictObject({
  role: z.literal('tool'),
  tool_call_id: z.string().min(1, 'must not be empty'),
  content: textContentSchema,
});

const openaiMessageShapes = z.discriminatedUnion(
  'role',
  [systemMessageSchema, userMessageSchema, assistantMessageSchema, toolMessageSchema],
  {
    error:
      'must be "system", "developer", "user", "assistant" or "tool" ("function" messages are deprecated: send "tool" messages with tool_call_id)',
  },
);

type OpenAIMessage = z.infer<typeof openaiMessageShapes>;

/** An assistant turn in our order: reasoning, text, then the calls; empty text beside calls is left out. */
function assistantParts(message: Extract<OpenAIMessage, { role: 'assistant' }>): ContentPart[] {
  const calls: ContentPart[] = (message.tool_calls ?? []).map((call) => ({
    type: 'tool_call',
    id: call.id,
    name: call.function.name,
    arguments: call.function.arguments,
  }));
  const reasoning: ContentPart[] = message.reasoning_content
    ? [{ type: 'reasoning', text: message.reasoning_content }]
    : [];
  const text = message.content.map(toContentPart);
  const kept =
    calls.length > 0 || reasoning.length > 0
      ? text.filter((part) => part.type !== 'text' || part.text)
      : text;
  return [...reasoning, ...kept, ...calls];
}

/** Our message shape (typed as the shared schema's input: it takes any content and checks it again). */
function toChatMessage(message: OpenAIMessage): unknown {
  switch (message.role) {
    case 'system':
    case 'developer':
      return { role: 'system', content: message.content.map(toContentPart) };
    case 'user':
      return { role: 'user', content: message.content.map(toContentPart) };
    case 'assistant':
      return { role: 'assistant', content: assistantParts(message) };
    case 'tool':
      return { role: 'tool', toolCallId: message.tool_call_id, content: message.content.map(toContentPart) };
  }
}

/**
 * One OpenAI chat message. Its OpenAI-only fields are checked here; it is then mapped to
 * our message shape and checked again by the shared `messageSchema` (image URL rules…).
 * `name` is accepted and not used.
 */
export const openaiMessageSchema = openaiMessageShapes.transform(toChatMessage).pipe(messageSchema);
