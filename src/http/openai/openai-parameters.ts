import { z } from 'zod';

export const isNullish = (value: unknown) => value === undefined || value === null;
const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
/** Absent, null, `[]` or `{}`. */
export const isEmpty = (value: unknown) =>
  isNullish(value) ||
  (Array.isArray(value) && value.length === 0) ||
  (isRecord(value) && Object.keys(value).length === 0);
export const oneOf =
  (...values: unknown[]) =>
  (value: unknown) =>
    isNullish(value) || values.includes(value);

/**
 * A parameter Switchyard cannot honour. It is accepted only with a value that changes
 * nothing (absent, null, or OpenAI's default), because some clients always send the
 * defaults; any other value is refused rather than silently dropped. The issue carries
 * OpenAI's error code in `params.openaiCode`, for the error body.
 */
export const neutralOnly = (accepts: (value: unknown) => boolean, rule: string) =>
  z
    .unknown()
    .refine(accepts, { message: rule, params: { openaiCode: 'unsupported_parameter' } })
    .optional();

/** OpenAI's deprecated function calling, superseded by tools in 2023. */
export const legacyFunctions =
  'is deprecated and not supported: send "tools" and "tool_choice" (Switchyard calls tools)';

/** Request parameters of the Chat Completions API that Switchyard refuses unless neutral. */
export const unsupportedParameters = {
  functions: neutralOnly(isEmpty, legacyFunctions),
  function_call: neutralOnly(oneOf('none', 'auto'), legacyFunctions),
  modalities: neutralOnly(
    (value) => isNullish(value) || (Array.isArray(value) && value.every((modality) => modality === 'text')),
    'must be ["text"]: audio output is not supported',
  ),
  audio: neutralOnly(isNullish, 'is not supported: audio output is not available'),
  prediction: neutralOnly(isNullish, 'is not supported: predicted outputs are not available'),
  logit_bias: neutralOnly(isEmpty, 'is not supported: logit_bias is not available'),
  verbosity: neutralOnly(isNullish, 'is not supported: verbosity cannot be set yet'),
  service_tier: neutralOnly(
    oneOf('auto', 'default'),
    'must be "auto" or "default": service tiers are not available',
  ),
  moderation: neutralOnly(isNullish, 'is not supported: moderation is not available'),
};

/**
 * Parameters accepted and ignored because ignoring them changes no answer: identifiers
 * and hints for OpenAI's own abuse monitoring, caching and storage (Switchyard stores
 * every completion anyway).
 */
export const ignoredParameters = {
  user: z.string().nullish(),
  safety_identifier: z.string().nullish(),
  prompt_cache_key: z.string().nullish(),
  prompt_cache_retention: z.string().nullish(),
  prompt_cache_options: z.record(z.string(), z.unknown()).nullish(),
  metadata: z.record(z.string(), z.string()).nullish(),
  store: z.boolean().nullish(),
};
