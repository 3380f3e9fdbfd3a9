import type {
  JSONObject,
  LanguageModelV3FilePart,
  LanguageModelV3Message,
  LanguageModelV3Prompt,
  LanguageModelV3TextPart,
  LanguageModelV3ToolResultPart,
  SharedV3ProviderOptions,
} from '@ai-sdk/provider';
import {
  type ChatMessage,
  type ContentPart,
  echoFor,
  type ProviderEcho,
  type ToolCallPart,
  textOf,
  toolNameOf,
} from '../../core/messages.js';
import { UpstreamError } from '../../core/upstream-error.js';
import type { EchoKeys } from './upstream-dialect.js';

const dataUrlPattern = /^data:(image\/[\w.+-]+);base64,(.*)$/s;

const imageTypeByExtension: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  heic: 'image/heic',
};

/** Whose echoes go back: our provider's name, and where its AI SDK provider reads them. */
export interface EchoTarget {
  provider: string;
  keys: EchoKeys;
}

type AssistantPart = Extract<LanguageModelV3Message, { role: 'assistant' }>['content'][number];

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

const convertUserPart = (part: ContentPart): (LanguageModelV3TextPart | LanguageModelV3FilePart)[] => {
  switch (part.type) {
    case 'image_url':
      return [convertImage(part.image_url.url)];
    case 'text':
      return [{ type: 'text', text: part.text }];
    default:
      return [];
  }
};

const badRequest = (message: string) => new UpstreamError({ kind: 'bad_request', message });

/**
 * A call's arguments as the input object the SDK wants. Anthropic and Gemini take only
 * objects; the gateway passes calls through as produced and does not repair them, so text
 * that is not a JSON object fails the call (no arguments at all is `{}`).
 */
function inputOf(call: ToolCallPart): JSONObject {
  if (call.arguments.trim() === '') return {};
  let input: unknown;
  try {
    input = JSON.parse(call.arguments);
  } catch {
    input = undefined;
  }
  if (typeof input !== 'object' || input === null || Array.isArray(input))
    throw badRequest(
      `the arguments of tool call ${call.id} (${call.name}) are not a JSON object, which this provider needs`,
    );
  return input as JSONObject;
}

/** An echo as provider options, for its own provider only. */
function optionsOf(
  part: { echo?: ProviderEcho | undefined },
  echo: EchoTarget | undefined,
): SharedV3ProviderOptions | undefined {
  const data = echo ? echoFor(part, echo.provider) : undefined;
  return data && echo ? { [echo.keys.key]: data as JSONObject } : undefined;
}

function convertAssistant(message: ChatMessage, echo: EchoTarget | undefined): AssistantPart[] {
  const parts: AssistantPart[] = [];
  for (const part of message.content) {
    switch (part.type) {
      case 'text':
        if (part.text.length > 0) parts.push({ type: 'text', text: part.text });
        break;
      case 'reasoning': {
        // Reasoning goes back only to the provider that produced it, with its signature.
        const providerOptions = optionsOf(part, echo);
        if (providerOptions) parts.push({ type: 'reasoning', text: part.text, providerOptions });
        break;
      }
      case 'tool_call': {
        const providerOptions = optionsOf(part, echo);
        parts.push({
          type: 'tool-call',
          toolCallId: part.id,
          toolName: part.name,
          input: inputOf(part),
          ...(providerOptions ? { providerOptions } : {}),
        });
        break;
      }
      default:
        break;
    }
  }
  return parts.length > 0 ? parts : [{ type: 'text', text: textOf(message) }];
}

function convertToolResult(
  message: ChatMessage,
  messages: readonly ChatMessage[],
): LanguageModelV3ToolResultPart {
  const toolCallId = message.toolCallId ?? '';
  // Gemini matches a function response to its call by name.
  const toolName = toolNameOf(messages, toolCallId);
  if (toolName === undefined)
    throw badRequest(`the tool turn answers ${toolCallId}, which no earlier turn called`);
  return { type: 'tool-result', toolCallId, toolName, output: { type: 'text', value: textOf(message) } };
}

/**
 * Our messages as the AI SDK's prompt. System turns carry text only (no provider takes
 * images there). Assistant turns keep their text, tool calls and (for `echo.provider` only)
 * reasoning with its signatures, in order. Consecutive tool turns answer one assistant turn
 * and go as one tool message, as Anthropic and Gemini want the results of parallel calls.
 */
export function convertMessages(messages: readonly ChatMessage[], echo?: EchoTarget): LanguageModelV3Prompt {
  const prompt: LanguageModelV3Prompt = [];
  for (const message of messages) {
    switch (message.role) {
      case 'system':
        prompt.push({ role: 'system', content: textOf(message) });
        break;
      case 'assistant':
        prompt.push({ role: 'assistant', content: convertAssistant(message, echo) });
        break;
      case 'tool': {
        const result = convertToolResult(message, messages);
        const last = prompt[prompt.length - 1];
        if (last?.role === 'tool') last.content.push(result);
        else prompt.push({ role: 'tool', content: [result] });
        break;
      }
      default:
        prompt.push({ role: 'user', content: message.content.flatMap(convertUserPart) });
    }
  }
  return prompt;
}
