import { z } from 'zod';
import { routingStrategies } from '../config/config-schema.js';
import type { ChatMessage } from './messages.js';
import { type ModelRef, modelIdPattern, parseModelRef } from './model-ref.js';

const isImageUrl = (url: string): boolean =>
  /^https:\/\/\S+$/.test(url) || /^data:image\/[\w.+-]+;base64,/.test(url);

const textPartSchema = z.strictObject({ type: z.literal('text'), text: z.string() });
const imagePartSchema = z.strictObject({
  type: z.literal('image_url'),
  image_url: z.strictObject({
    url: z.string().refine(isImageUrl, 'must be an https URL or a data:image/…;base64 URL'),
  }),
});
const contentPartSchema = z.discriminatedUnion('type', [textPartSchema, imagePartSchema], {
  error: 'must be a part of type "text" or "image_url"',
});

export const messageSchema = z.strictObject({
  role: z.enum(['system', 'user', 'assistant']),
  // A plain string is one text part; anything else must be an array of parts.
  content: z.preprocess(
    (content) => (typeof content === 'string' ? [{ type: 'text', text: content }] : content),
    z
      .array(contentPartSchema, { error: 'must be a string or an array of content parts' })
      .min(1, 'must have at least one part'),
  ),
});

export const modelIdSchema = z
  .string()
  .regex(modelIdPattern, 'must be "provider/model", e.g. "openai/gpt-4o"')
  .transform(parseModelRef);

/**
 * The rules of a completion request (SPEC §2), one schema per field, shared by every
 * surface: REST names the fallback list `fallback_models`, GraphQL `fallbackModels`.
 */
export const completionFieldSchemas = {
  messages: z.array(messageSchema).min(1, 'must have at least one message'),
  models: z.array(modelIdSchema).min(1, 'must name at least one model'),
  fallbackModels: z.array(modelIdSchema).default([]),
  stream: z.boolean().default(false),
  temperature: z.number().min(0).max(1).optional(),
  maxTokens: z.int().min(1).optional(),
  maxRetries: z.int().min(0).max(10).default(2),
  search: z.boolean().default(false),
  conversationId: z.uuid('must be a UUID').optional(),
  strategy: z.enum(routingStrategies).optional(),
};

const { fallbackModels, ...sharedFields } = completionFieldSchemas;

/** `POST /api/v1/completions` body. */
export const restCompletionBodySchema = z
  .strictObject({ ...sharedFields, fallback_models: fallbackModels })
  .transform(
    ({ fallback_models, ...rest }): CompletionRequest => ({ ...rest, fallbackModels: fallback_models }),
  );

/** A validated completion request, whatever surface it came from. */
export interface CompletionRequest {
  messages: ChatMessage[];
  models: ModelRef[];
  fallbackModels: ModelRef[];
  stream: boolean;
  temperature?: number | undefined;
  maxTokens?: number | undefined;
  maxRetries: number;
  search: boolean;
  conversationId?: string | undefined;
  strategy?: (typeof routingStrategies)[number] | undefined;
}

/** One line per offending field, e.g. `messages.0.role: Invalid option…`. */
export const describeValidationIssues = (error: z.ZodError): string[] =>
  error.issues.map((issue) => {
    const path = issue.path.length > 0 ? issue.path.join('.') : 'body';
    if (issue.code === 'unrecognized_keys') {
      const prefix = issue.path.length > 0 ? `${path}.` : '';
      return issue.keys.map((key) => `${prefix}${key}: unknown field`).join('; ');
    }
    return `${path}: ${issue.message}`;
  });
