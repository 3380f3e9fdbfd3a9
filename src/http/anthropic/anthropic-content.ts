import { z } from 'zod';
import { toolNamePattern } from '../../core/completion-request.js';
import type { ChatMessage, ContentPart, ImagePart, TextPart } from '../../core/messages.js';

/**
 * Anthropic's request content blocks (`messages[].content`, `system`) and their mapping to
 * our messages. Hints that change no answer (`cache_control`, a text block's `citations`)
 * are accepted and ignored; blocks Switchyard cannot carry are refused, naming the block.
 */

/** The provider name under which a thinking block's signature is echoed back (SPEC §7). */
export const anthropicEcho = 'anthropic';

const hint = z.unknown().optional();

const textBlock = z.strictObject({
  type: z.literal('text'),
  text: z.string(),
  cache_control: hint,
  citations: hint,
});

const base64Source = z.strictObject({
  type: z.literal('base64'),
  media_type: z.string().regex(/^image\/[\w.+-]+$/, 'must be an image type such as "image/png"'),
  data: z.string().min(1, 'must not be empty'),
});
const urlSource = z.strictObject({
  type: z.literal('url'),
  url: z.string().regex(/^https:\/\/\S+$/, 'must be an https URL'),
});
const imageBlock = z.strictObject({
  type: z.literal('image'),
  source: z.discriminatedUnion('type', [base64Source, urlSource], {
    error: 'must be a "base64" or "url" source (files are not supported)',
  }),
  cache_control: hint,
});

const toolUseBlock = z.strictObject({
  type: z.literal('tool_use'),
  id: z.string().min(1, 'must not be empty'),
  name: z.string().regex(toolNamePattern, 'must match ^[a-zA-Z0-9_-]{1,64}$'),
  input: z.record(z.string(), z.unknown(), { error: 'must be an object' }),
  cache_control: hint,
  caller: hint,
});

const toolResultBlock = z.strictObject({
  type: z.literal('tool_result'),
  tool_use_id: z.string().min(1, 'must not be empty'),
  content: z
    .union([z.string(), z.array(textBlock)], {
      error: 'must be a string or an array of text blocks (images in tool results are not supported)',
    })
    .optional(),
  is_error: z.boolean().optional(),
  cache_control: hint,
});

const thinkingBlock = z.strictObject({
  type: z.literal('thinking'),
  thinking: z.string(),
  signature: z.string(),
});
const redactedThinkingBlock = z.strictObject({ type: z.literal('redacted_thinking'), data: z.string() });

const contentBlock = z.discriminatedUnion(
  'type',
  [textBlock, imageBlock, toolUseBlock, toolResultBlock, thinkingBlock, redactedThinkingBlock],
  {
    error:
      'must be a "text", "image", "tool_use", "tool_result", "thinking" or "redacted_thinking" block (documents, search results and server tool blocks are not supported)',
  },
);
type ContentBlock = z.infer<typeof contentBlock>;

/** Which block types each role may send, as Anthropic has them. */
const blocksByRole = {
  user: new Set(['text', 'image', 'tool_result']),
  assistant: new Set(['text', 'tool_use', 'thinking', 'redacted_thinking']),
} as const;

const blocksOf = (content: unknown) =>
  typeof content === 'string' ? [{ type: 'text', text: content }] : content;

/** One Anthropic message; a plain string is one text block. */
export const anthropicMessageSchema = z
  .strictObject({
    role: z.enum(['user', 'assistant'], { error: 'must be "user" or "assistant" (system goes in "system")' }),
    content: z.preprocess(
      blocksOf,
      z
        .array(contentBlock, { error: 'must be a string or an array of content blocks' })
        .min(1, 'must have at least one block'),
    ),
  })
  .superRefine((message, ctx) => {
    for (const [index, block] of message.content.entries()) {
      if (!blocksByRole[message.role].has(block.type))
        ctx.addIssue({
          code: 'custom',
          path: ['content', index, 'type'],
          message: `"${block.type}" is not allowed in a ${message.role} message`,
        });
    }
  });
export type AnthropicMessage = z.infer<typeof anthropicMessageSchema>;

/** `system`: a string or text blocks. */
export const systemSchema = z.union([z.string(), z.array(textBlock)], {
  error: 'must be a string or an array of text blocks',
});

const text = (value: string): TextPart => ({ type: 'text', text: value });

const imageOf = (block: Extract<ContentBlock, { type: 'image' }>): ImagePart => ({
  type: 'image_url',
  image_url: {
    url:
      block.source.type === 'base64'
        ? `data:${block.source.media_type};base64,${block.source.data}`
        : block.source.url,
  },
});

/**
 * A tool result's text. Our tool turns have no error flag, so `is_error` travels in the
 * text itself: every provider's model reads it there.
 */
function toolResultText(block: Extract<ContentBlock, { type: 'tool_result' }>): string {
  const body =
    typeof block.content === 'string'
      ? block.content
      : (block.content ?? []).map((part) => part.text).join('\n');
  return block.is_error ? `Error: ${body}` : body;
}

function assistantPart(block: ContentBlock): ContentPart | undefined {
  switch (block.type) {
    case 'text':
      return text(block.text);
    case 'tool_use':
      return { type: 'tool_call', id: block.id, name: block.name, arguments: JSON.stringify(block.input) };
    // The signature (or the redacted data) goes back to an Anthropic upstream only.
    case 'thinking':
      return {
        type: 'reasoning',
        text: block.thinking,
        echo: { provider: anthropicEcho, data: { signature: block.signature } },
      };
    case 'redacted_thinking':
      return {
        type: 'reasoning',
        text: '',
        echo: { provider: anthropicEcho, data: { redactedData: block.data } },
      };
    default:
      return undefined;
  }
}

/**
 * One Anthropic message as our turns. A user turn's tool results become `tool` turns, one
 * per result in order, and its other blocks a user turn after them (Anthropic puts the
 * results first); an assistant turn maps block for block.
 */
export function toChatMessages(message: AnthropicMessage): ChatMessage[] {
  if (message.role === 'assistant') {
    const content = message.content.flatMap((block) => assistantPart(block) ?? []);
    return [{ role: 'assistant', content }];
  }
  const turns: ChatMessage[] = [];
  const rest: ContentPart[] = [];
  for (const block of message.content) {
    if (block.type === 'tool_result')
      turns.push({ role: 'tool', toolCallId: block.tool_use_id, content: [text(toolResultText(block))] });
    else if (block.type === 'text') rest.push(text(block.text));
    else if (block.type === 'image') rest.push(imageOf(block));
  }
  if (rest.length > 0) turns.push({ role: 'user', content: rest });
  return turns;
}

/** The `system` field as our first turn, or nothing when it is empty. */
export function toSystemMessage(system: z.infer<typeof systemSchema> | undefined): ChatMessage[] {
  if (system === undefined) return [];
  const parts = typeof system === 'string' ? [text(system)] : system.map((block) => text(block.text));
  return parts.some((part) => part.text.length > 0) ? [{ role: 'system', content: parts }] : [];
}
