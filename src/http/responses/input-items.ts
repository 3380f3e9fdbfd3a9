import { z } from 'zod';
import { GatewayError } from '../../core/gateway-error.js';
import type { ChatMessage, ContentPart } from '../../core/messages.js';

/**
 * The items of a Responses `input`, parsed at the edge. Items a client copied from an earlier
 * response carry fields of their own (`id`, `status`, `phase`…): those are accepted and
 * ignored; content parts and item types Switchyard cannot carry are refused by name.
 */

const inputTextSchema = z.object({ type: z.literal('input_text'), text: z.string() });
const outputTextSchema = z.object({ type: z.literal('output_text'), text: z.string() });
const refusalSchema = z.object({ type: z.literal('refusal'), refusal: z.string() });
const inputImageSchema = z.object({
  type: z.literal('input_image'),
  image_url: z.string({ error: 'is required: an https or data URL (file_id images are not supported)' }),
  // How finely the provider looks at the image; not portable, so ignored.
  detail: z.string().nullish(),
});

const messagePartSchema = z.discriminatedUnion(
  'type',
  [inputTextSchema, outputTextSchema, refusalSchema, inputImageSchema],
  {
    error:
      'must be a part of type "input_text", "input_image" or "output_text" (input_file and audio parts are not supported)',
  },
);

const messageItemSchema = z.object({
  type: z.literal('message').optional(),
  role: z.enum(['user', 'assistant', 'system', 'developer'], {
    error: 'must be "user", "assistant", "system" or "developer"',
  }),
  content: z.union([z.string(), z.array(messagePartSchema)], {
    error: 'must be a string or an array of content parts',
  }),
});

const functionCallSchema = z.object({
  type: z.literal('function_call'),
  call_id: z.string().min(1, 'must not be empty'),
  name: z.string(),
  arguments: z.string(),
});

const functionCallOutputSchema = z.object({
  type: z.literal('function_call_output'),
  call_id: z.string().min(1, 'must not be empty'),
  output: z.union([z.string(), z.array(inputTextSchema)], {
    error: 'must be a string or an array of input_text parts',
  }),
});

const reasoningSchema = z.object({ type: z.literal('reasoning'), id: z.string().nullish() });
const itemReferenceSchema = z.object({ type: z.literal('item_reference'), id: z.string() });

const supportedTypes = ['message', 'function_call', 'function_call_output', 'reasoning', 'item_reference'];

/** One input item; a bare `{role, content}` is a message. */
export const inputItemSchema = z
  .custom<Record<string, unknown>>(
    (item) => typeof item === 'object' && item !== null && !Array.isArray(item),
    'must be an input item object',
  )
  .superRefine((item, ctx) => {
    if (item.type !== undefined && !supportedTypes.includes(item.type as string))
      ctx.addIssue({
        code: 'custom',
        path: ['type'],
        message: `"${String(item.type)}" items are not supported: send messages, function_call, function_call_output, reasoning or item_reference items`,
      });
  })
  .pipe(
    z.union([
      messageItemSchema,
      functionCallSchema,
      functionCallOutputSchema,
      reasoningSchema,
      itemReferenceSchema,
    ]),
  );

export type InputItem = z.infer<typeof inputItemSchema>;

/** The stored parts of an output item of ours (for `item_reference` and reasoning items), if found. */
export type StoredItemLookup = (itemId: string) => ContentPart[] | undefined;

/** The item ids whose stored parts `toMessages` will look up. */
export const referencedItemIds = (input: string | InputItem[]): string[] =>
  typeof input === 'string'
    ? []
    : input.flatMap((item) =>
        'role' in item
          ? []
          : item.type === 'item_reference' || (item.type === 'reasoning' && item.id)
            ? [item.id as string]
            : [],
      );

const textPart = (text: string): ContentPart => ({ type: 'text', text });

function messagePart(part: z.infer<typeof messagePartSchema>): ContentPart {
  switch (part.type) {
    case 'input_text':
    case 'output_text':
      return textPart(part.text);
    case 'refusal':
      return textPart(part.refusal);
    case 'input_image':
      return { type: 'image_url', image_url: { url: part.image_url } };
  }
}

/**
 * Our messages from the input items. Consecutive assistant items (text, reasoning, calls)
 * make one assistant turn, as every provider expects; `developer` is OpenAI's newer name
 * for `system`. Reasoning items that are not ours carry nothing we can send on, so they are
 * dropped; ours (and item references) are replaced by the stored parts.
 */
export function toMessages(input: string | InputItem[], lookup: StoredItemLookup): ChatMessage[] {
  if (typeof input === 'string') return [{ role: 'user', content: [textPart(input)] }];
  const messages: ChatMessage[] = [];
  const assistantTurn = (): ChatMessage => {
    const last = messages[messages.length - 1];
    if (last?.role === 'assistant') return last;
    const turn: ChatMessage = { role: 'assistant', content: [] };
    messages.push(turn);
    return turn;
  };
  for (const [position, item] of input.entries()) {
    if ('role' in item) {
      const content =
        typeof item.content === 'string' ? [textPart(item.content)] : item.content.map(messagePart);
      if (item.role === 'assistant') assistantTurn().content.push(...content);
      else messages.push({ role: item.role === 'developer' ? 'system' : item.role, content });
      continue;
    }
    switch (item.type) {
      case 'function_call':
        assistantTurn().content.push({
          type: 'tool_call',
          id: item.call_id,
          name: item.name,
          arguments: item.arguments,
        });
        break;
      case 'function_call_output': {
        const text =
          typeof item.output === 'string' ? item.output : item.output.map((part) => part.text).join('');
        messages.push({ role: 'tool', toolCallId: item.call_id, content: [textPart(text)] });
        break;
      }
      case 'reasoning': {
        const parts = item.id ? lookup(item.id) : undefined;
        if (parts) assistantTurn().content.push(...parts);
        break;
      }
      case 'item_reference': {
        const parts = lookup(item.id);
        if (!parts)
          throw new GatewayError('not_found', `input.${position}.id: no stored item "${item.id}" was found`, {
            param: `input.${position}.id`,
          });
        // The items we store are all parts of answers.
        assistantTurn().content.push(...parts);
        break;
      }
    }
  }
  return messages;
}
