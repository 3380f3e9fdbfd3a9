import type { ContentPart as CoreContentPart } from '../../core/messages.js';
import type { StoredMessage } from '../../store/conversation-queries.js';
import { builder } from '../builder.js';
import { Citation } from './citation.js';
import { DateTime } from './scalars.js';

export const MessageRole = builder.enumType('MessageRole', {
  values: {
    SYSTEM: { value: 'system' },
    USER: { value: 'user' },
    ASSISTANT: { value: 'assistant' },
    TOOL: { value: 'tool', description: 'The result of a tool call, answering `toolCallId`.' },
  } as const,
});

export const ContentPartType = builder.enumType('ContentPartType', {
  values: {
    TEXT: { value: 'text' },
    IMAGE_URL: { value: 'image_url', description: 'An image, by https or data:image/…;base64 URL.' },
    TOOL_CALL: { value: 'tool_call', description: 'A call the model made: `id`, `name` and `arguments`.' },
    REASONING: { value: 'reasoning', description: 'Reasoning text the provider returned.' },
  } as const,
});

export const ContentPart = builder.objectRef<CoreContentPart>('ContentPart').implement({
  description: 'A part of a message: text, an image URL, a tool call or reasoning.',
  fields: (t) => ({
    type: t.field({ type: ContentPartType, resolve: (part) => part.type }),
    text: t.string({
      nullable: true,
      resolve: (part) => (part.type === 'text' || part.type === 'reasoning' ? part.text : null),
    }),
    imageUrl: t.string({
      nullable: true,
      resolve: (part) => (part.type === 'image_url' ? part.image_url.url : null),
    }),
    id: t.string({
      nullable: true,
      description: 'A tool call’s id.',
      resolve: (part) => (part.type === 'tool_call' ? part.id : null),
    }),
    name: t.string({
      nullable: true,
      description: 'The called tool’s name.',
      resolve: (part) => (part.type === 'tool_call' ? part.name : null),
    }),
    arguments: t.string({
      nullable: true,
      description: 'A tool call’s arguments: the JSON text the model produced.',
      resolve: (part) => (part.type === 'tool_call' ? part.arguments : null),
    }),
  }),
});

export const Message = builder.objectRef<StoredMessage>('Message').implement({
  description: 'One turn of a conversation.',
  fields: (t) => ({
    id: t.exposeID('id'),
    role: t.field({ type: MessageRole, resolve: (message) => message.role }),
    content: t.field({ type: [ContentPart], resolve: (message) => message.content }),
    toolCallId: t.exposeString('toolCallId', {
      nullable: true,
      description: 'A tool turn: the id of the call it answers.',
    }),
    provider: t.exposeString('provider', {
      nullable: true,
      description: 'The provider that wrote an assistant answer.',
    }),
    model: t.exposeString('model', {
      nullable: true,
      description: 'The model that wrote an assistant answer.',
    }),
    complete: t.exposeBoolean('complete', {
      description: 'False for an answer cut short after it started streaming.',
    }),
    citations: t.field({
      type: [Citation],
      description: 'The numbered web sources of an answer to a `search: true` request; empty otherwise.',
      resolve: (message) => message.citations ?? [],
    }),
    createdAt: t.field({ type: DateTime, resolve: (message) => message.createdAt }),
  }),
});
