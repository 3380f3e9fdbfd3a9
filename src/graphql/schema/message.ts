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
  } as const,
});

export const ContentPartType = builder.enumType('ContentPartType', {
  values: {
    TEXT: { value: 'text' },
    IMAGE_URL: { value: 'image_url', description: 'An image, by https or data:image/…;base64 URL.' },
  } as const,
});

export const ContentPart = builder.objectRef<CoreContentPart>('ContentPart').implement({
  description: 'A part of a message: text, or an image URL.',
  fields: (t) => ({
    type: t.field({ type: ContentPartType, resolve: (part) => part.type }),
    text: t.string({ nullable: true, resolve: (part) => (part.type === 'text' ? part.text : null) }),
    imageUrl: t.string({
      nullable: true,
      resolve: (part) => (part.type === 'image_url' ? part.image_url.url : null),
    }),
  }),
});

export const Message = builder.objectRef<StoredMessage>('Message').implement({
  description: 'One turn of a conversation.',
  fields: (t) => ({
    id: t.exposeID('id'),
    role: t.field({ type: MessageRole, resolve: (message) => message.role }),
    content: t.field({ type: [ContentPart], resolve: (message) => message.content }),
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
