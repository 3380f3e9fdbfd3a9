import type {
  LanguageModelV3FilePart,
  LanguageModelV3Prompt,
  LanguageModelV3TextPart,
} from '@ai-sdk/provider';
import { type ChatMessage, type ContentPart, textOf } from '../../core/messages.js';

const dataUrlPattern = /^data:(image\/[\w.+-]+);base64,(.*)$/s;

const imageTypeByExtension: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  heic: 'image/heic',
};

/** A guess from the file name: some providers (Gemini) want a concrete type for a URL. */
function imageTypeOfUrl(url: URL): string {
  const extension = url.pathname.split('.').pop()?.toLowerCase() ?? '';
  return imageTypeByExtension[extension] ?? 'image/*';
}

function convertImage(url: string): LanguageModelV3FilePart {
  const inline = dataUrlPattern.exec(url);
  if (inline) return { type: 'file', mediaType: inline[1]!, data: inline[2]! };
  const parsed = new URL(url);
  return { type: 'file', mediaType: imageTypeOfUrl(parsed), data: parsed };
}

const convertPart = (part: ContentPart): LanguageModelV3TextPart | LanguageModelV3FilePart =>
  part.type === 'text' ? { type: 'text', text: part.text } : convertImage(part.image_url.url);

/**
 * Our messages as the AI SDK's prompt. System turns carry text only (no provider takes
 * images there); assistant turns are the text we stored.
 */
export function convertMessages(messages: readonly ChatMessage[]): LanguageModelV3Prompt {
  return messages.map((message) => {
    switch (message.role) {
      case 'system':
        return { role: 'system', content: textOf(message) };
      case 'assistant':
        return { role: 'assistant', content: [{ type: 'text', text: textOf(message) }] };
      default:
        return { role: 'user', content: message.content.map(convertPart) };
    }
  });
}
