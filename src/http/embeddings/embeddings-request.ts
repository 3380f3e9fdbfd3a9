import { z } from 'zod';
import {
  completionFieldSchemas,
  describeValidationIssues,
  modelIdSchema,
} from '../../core/completion-request.js';
import { GatewayError } from '../../core/gateway-error.js';
import type { EmbeddingRequest } from '../../embeddings/embedding-request.js';

const { models, fallbackModels, maxRetries, strategy } = completionFieldSchemas;

/** OpenAI's own limit on the texts of one request; Gemini's batch takes as many. */
export const maxInputs = 2048;

const isTokenArray = (value: unknown): boolean =>
  Array.isArray(value) &&
  value.length > 0 &&
  (value.every((item) => typeof item === 'number') || value.every((item) => Array.isArray(item)));

/** `input`: a text or a list of texts. Token arrays are OpenAI's tokenizer's: no other provider reads them. */
const inputSchema = z.unknown().transform((value, ctx): string[] => {
  if (isTokenArray(value)) {
    ctx.addIssue({
      code: 'custom',
      message:
        'token arrays are not supported: send the text itself (a string or a list of strings), which every provider can tokenise its own way',
    });
    return z.NEVER;
  }
  const parsed = z
    .union([z.string(), z.array(z.string()).min(1, 'must have at least one text').max(maxInputs)], {
      error: 'must be a string or a list of strings',
    })
    .safeParse(value);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) ctx.addIssue({ ...issue, code: 'custom', path: issue.path });
    return z.NEVER;
  }
  const texts = typeof parsed.data === 'string' ? [parsed.data] : parsed.data;
  for (const [index, text] of texts.entries())
    if (text.length === 0)
      ctx.addIssue({
        code: 'custom',
        path: typeof parsed.data === 'string' ? [] : [index],
        message: 'must not be empty: an empty text has no embedding',
      });
  return texts;
});

/**
 * `POST /v1/embeddings` body: OpenAI's embeddings request (`model`, `input`, `dimensions`,
 * `encoding_format`, `user`), plus Switchyard's `models`, `fallback_models`, `max_retries`
 * and `strategy`. OpenAI accepts `null` for the optional parameters, so we do too.
 */
const embeddingsBodySchema = z
  .strictObject({
    model: modelIdSchema.optional(),
    models: models.optional(),
    input: inputSchema,
    dimensions: z.int().min(1).max(65_536).nullish(),
    encoding_format: z.enum(['float', 'base64']).nullish(),
    user: z.string().max(256).nullish(),
    fallback_models: fallbackModels,
    max_retries: maxRetries,
    strategy,
  })
  .superRefine((body, ctx) => {
    if (body.model === undefined && body.models === undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['model'],
        message:
          'is required: a "provider/model" id such as "openai/text-embedding-3-small" (or a "models" list)',
      });
  })
  .transform(
    (body): OpenAIEmbeddingsRequest => ({
      request: {
        // `model` leads the pool when both are given, as the primary choice.
        models: [...(body.model ? [body.model] : []), ...(body.models ?? [])],
        fallbackModels: body.fallback_models,
        inputs: body.input,
        dimensions: body.dimensions ?? undefined,
        user: body.user ?? undefined,
        maxRetries: body.max_retries,
        strategy: body.strategy,
      },
      encodingFormat: body.encoding_format ?? 'float',
    }),
  );

/** A validated embeddings request: ours, plus how the vectors are written back. */
export interface OpenAIEmbeddingsRequest {
  request: EmbeddingRequest;
  encodingFormat: 'float' | 'base64';
}

const paramOf = (issue: z.core.$ZodIssue): string | null => {
  const path = issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys[0]] : issue.path;
  return path.length > 0 ? path.join('.') : null;
};

/** Parses the body, or throws 400 naming every offending field (the first as OpenAI's `param`). */
export function parseEmbeddingsBody(body: unknown): OpenAIEmbeddingsRequest {
  const parsed = embeddingsBodySchema.safeParse(body);
  if (parsed.success) return parsed.data;
  const problems = describeValidationIssues(parsed.error);
  const [first] = parsed.error.issues;
  throw new GatewayError('invalid_request', `invalid request: ${problems.join('; ')}`, {
    fields: problems,
    param: first ? paramOf(first) : null,
    openaiCode: first?.code === 'unrecognized_keys' ? 'unknown_parameter' : 'invalid_value',
  });
}
