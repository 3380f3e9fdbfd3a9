/**
 * Data a provider attached to a part of its answer and wants back verbatim when the
 * conversation continues with it (Anthropic's thinking signatures, Gemini's thought
 * signatures). Other providers never see it.
 */
export interface ProviderEcho {
  /** Our provider name (`anthropic`, `google`, a configured one…). */
  provider: string;
  data: Record<string, unknown>;
}

export interface TextPart {
  type: 'text';
  text: string;
}

export interface ImagePart {
  type: 'image_url';
  image_url: { url: string };
}

/** A call the model made: `arguments` is the JSON text it produced, passed through as is. */
export interface ToolCallPart {
  type: 'tool_call';
  id: string;
  name: string;
  arguments: string;
  echo?: ProviderEcho | undefined;
}

/** Reasoning text (or a summary of it) the provider returned; sent back only to that provider. */
export interface ReasoningPart {
  type: 'reasoning';
  text: string;
  echo?: ProviderEcho | undefined;
}

/** A part of a message's content. */
export type ContentPart = TextPart | ImagePart | ToolCallPart | ReasoningPart;

export type MessageRole = 'system' | 'user' | 'assistant' | 'tool';

/** One chat turn, in our own shape (never a vendor's). */
export interface ChatMessage {
  role: MessageRole;
  content: ContentPart[];
  /** A `tool` turn: the id of the call (in an earlier assistant turn) it answers. */
  toolCallId?: string | undefined;
}

/** Concatenated text parts of a message. */
export const textOf = (message: ChatMessage): string => {
  let text = '';
  for (const part of message.content) if (part.type === 'text') text += part.text;
  return text;
};

export const hasImages = (messages: readonly ChatMessage[]): boolean =>
  messages.some((message) => message.content.some((part) => part.type === 'image_url'));

/** The tool calls of an assistant turn. */
export const toolCallsOf = (message: ChatMessage): ToolCallPart[] =>
  message.content.filter((part): part is ToolCallPart => part.type === 'tool_call');

/** Whether any turn called a tool or answers a call. */
export const usesTools = (messages: readonly ChatMessage[]): boolean =>
  messages.some(
    (message) => message.role === 'tool' || message.content.some((part) => part.type === 'tool_call'),
  );

/** The name of the tool whose call `toolCallId` answers, from the earlier turns (Gemini matches by name). */
export function toolNameOf(messages: readonly ChatMessage[], toolCallId: string): string | undefined {
  for (const message of messages) {
    for (const part of message.content)
      if (part.type === 'tool_call' && part.id === toolCallId) return part.name;
  }
  return undefined;
}

/** The echo of a part, only when it was produced by `provider`. */
export const echoFor = (part: { echo?: ProviderEcho | undefined }, provider: string) =>
  part.echo?.provider === provider ? part.echo.data : undefined;
