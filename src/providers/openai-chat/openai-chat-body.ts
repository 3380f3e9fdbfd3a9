import { type ChatMessage, textOf } from '../../core/messages.js';
import type { ModelCall } from '../provider.js';

type OpenAIContentPart = { type: 'text'; text: string } | { type: 'image_url'; image_url: { url: string } };

/** Our messages in the Chat Completions shape: a lone text part is sent as a plain string. */
function toOpenAIMessage(message: ChatMessage) {
  if (message.role !== 'user') return { role: message.role, content: textOf(message) };
  const [only] = message.content;
  if (message.content.length === 1 && only?.type === 'text') return { role: 'user', content: only.text };
  const content: OpenAIContentPart[] = message.content.map((part) =>
    part.type === 'text'
      ? { type: 'text', text: part.text }
      : { type: 'image_url', image_url: { url: part.image_url.url } },
  );
  return { role: 'user', content };
}

/** The JSON body of a streamed `POST /chat/completions`, asking for the usage chunk. */
export function openaiChatBody(model: string, call: ModelCall): string {
  return JSON.stringify({
    model,
    messages: call.messages.map(toOpenAIMessage),
    ...(call.temperature === undefined ? {} : { temperature: call.temperature }),
    ...(call.maxTokens === undefined ? {} : { max_tokens: call.maxTokens }),
    stream: true,
    stream_options: { include_usage: true },
  });
}
