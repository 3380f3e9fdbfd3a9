import type { ContentPart } from '../../core/messages.js';
import { ItemNamer } from './response-ids.js';

/** `output_text` content of a message item. */
export interface OutputText {
  type: 'output_text';
  text: string;
  annotations: unknown[];
  logprobs: unknown[];
}

/** The Responses output items Switchyard produces. */
export type OutputItem =
  | { type: 'reasoning'; id: string; summary: { type: 'summary_text'; text: string }[] }
  | {
      type: 'message';
      id: string;
      role: 'assistant';
      status: 'in_progress' | 'completed' | 'incomplete';
      content: OutputText[];
    }
  | {
      type: 'function_call';
      id: string;
      call_id: string;
      name: string;
      arguments: string;
      status: 'in_progress' | 'completed' | 'incomplete';
    };

export const outputText = (text: string): OutputText => ({
  type: 'output_text',
  text,
  annotations: [],
  logprobs: [],
});

/** An output item and the stored parts it shows, to send back when a later request references it. */
export interface ItemWithParts {
  item: OutputItem;
  parts: ContentPart[];
}

/**
 * The output items of an answer, in its order: one per reasoning block, one message per run
 * of text, one per tool call, named as the stream named them (ids per kind, in order).
 */
export function outputItemsOf(
  content: readonly ContentPart[],
  messageId: string,
  status: 'completed' | 'incomplete' = 'completed',
): ItemWithParts[] {
  const names = new ItemNamer(messageId);
  const items: ItemWithParts[] = [];
  for (const part of content) {
    const last = items[items.length - 1];
    if (part.type === 'reasoning') {
      items.push({
        item: {
          type: 'reasoning',
          id: names.next('rs'),
          summary: [{ type: 'summary_text', text: part.text }],
        },
        parts: [part],
      });
    } else if (part.type === 'text') {
      if (last?.item.type === 'message') {
        last.item.content[0]!.text += part.text;
        last.parts.push(part);
      } else {
        // An answer that only called tools has no message at all (its content is the calls).
        if (part.text === '' && content.some((other) => other.type === 'tool_call')) continue;
        items.push({
          item: {
            type: 'message',
            id: names.next('msg'),
            role: 'assistant',
            status,
            content: [outputText(part.text)],
          },
          parts: [part],
        });
      }
    } else if (part.type === 'tool_call') {
      items.push({
        item: {
          type: 'function_call',
          id: names.next('fc'),
          call_id: part.id,
          name: part.name,
          arguments: part.arguments,
          status,
        },
        parts: [part],
      });
    }
  }
  return items;
}
