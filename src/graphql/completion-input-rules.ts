import { z } from 'zod';
import {
  type CompletionRequest,
  checkToolFields,
  completionFieldSchemas,
} from '../core/completion-request.js';

// `stream` is not an input in GraphQL: the mutation answers whole, the subscription streams.
const { stream: _stream, ...fieldSchemas } = completionFieldSchemas;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const withoutNulls = (record: Record<string, unknown>): Record<string, unknown> =>
  Object.fromEntries(Object.entries(record).filter(([, value]) => value !== null && value !== undefined));

/** `{type, text, imageUrl}` (GraphQL has no input unions) → the REST part shape the rules check. */
function toRestPart(part: unknown): unknown {
  if (!isRecord(part)) return part;
  const { imageUrl, ...rest } = withoutNulls(part);
  return imageUrl === undefined ? rest : { ...rest, image_url: { url: imageUrl } };
}

function toRestMessage(message: unknown): unknown {
  if (!isRecord(message)) return message;
  const fields = withoutNulls(message);
  return Array.isArray(fields.content) ? { ...fields, content: fields.content.map(toRestPart) } : fields;
}

/** Input objects nested in the input (tools, responseFormat, reasoning) lose their nulls too. */
const withoutNestedNulls = (value: unknown): unknown =>
  Array.isArray(value) ? value.map(withoutNestedNulls) : isRecord(value) ? withoutNulls(value) : value;

/**
 * GraphQL gives `null` for an omitted optional field and names the image part `imageUrl`;
 * reshape into the REST shape, then apply the very same field rules as REST.
 */
function toRestShape(input: unknown): unknown {
  if (!isRecord(input)) return input;
  const fields = withoutNulls(input);
  for (const name of ['tools', 'responseFormat', 'reasoning'] as const)
    if (name in fields) fields[name] = withoutNestedNulls(fields[name]);
  return Array.isArray(fields.messages)
    ? { ...fields, messages: fields.messages.map(toRestMessage) }
    : fields;
}

export const completionInputSchema = z.preprocess(
  toRestShape,
  z.strictObject(fieldSchemas).superRefine(checkToolFields),
);

/** A validated GraphQL completion input; `stream` is set by the operation. */
export type CompletionInputRequest = Omit<CompletionRequest, 'stream'>;
