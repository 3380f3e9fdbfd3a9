import { z } from 'zod';
import { checkToolFields, completionFieldSchemas } from '../../core/completion-request.js';
import type { ResponseFormat, ToolChoice, ToolDefinition } from '../../core/generation-options.js';
import { checkedBy, type IssuePath, renamingContext, withoutNulls } from './shared-rules.js';

/**
 * Tools, tool choice and response format in OpenAI's shapes (SPEC §6), mapped to ours and
 * checked by the shared rules; every issue names the field as OpenAI spells it.
 */

const { tools: sharedTools, responseFormat: sharedResponseFormat } = completionFieldSchemas;

/** `tools[i].name` of ours is `tools[i].function.name` in OpenAI's body. */
const inFunction = ([index, ...rest]: IssuePath): IssuePath =>
  index === undefined ? [] : [index, 'function', ...rest];

/** `tools`: `[{type: "function", function: {name, description, parameters, strict}}]`. */
export const openaiToolsSchema = z
  .array(
    z.strictObject({
      type: z.literal('function', {
        error: 'must be "function": only function tools are supported (not custom tools)',
      }),
      function: z.record(z.string(), z.unknown(), {
        error: 'must be an object: {name, description?, parameters?, strict?}',
      }),
    }),
    { error: 'must be an array of {"type":"function","function":{…}} tools' },
  )
  .nullish()
  .transform((tools) => (tools?.length ? tools.map((tool) => withoutNulls(tool.function)) : undefined))
  .transform(checkedBy(sharedTools, inFunction));

const choiceError =
  'must be "auto", "none", "required" or {"type":"function","function":{"name":"<tool>"}} (allowed_tools and custom tool choices are not supported)';

/** `tool_choice`: `"auto" | "none" | "required" | {type: "function", function: {name}}`. */
export const openaiToolChoiceSchema = z
  .union(
    [
      z.enum(['auto', 'none', 'required']),
      z.strictObject({ type: z.literal('function'), function: z.strictObject({ name: z.string() }) }),
    ],
    { error: choiceError },
  )
  .nullish()
  .transform((choice): ToolChoice | undefined =>
    choice == null ? undefined : typeof choice === 'string' ? choice : { name: choice.function.name },
  );

/** `json_schema`'s fields are nested in OpenAI's body, flat in ours. */
const inJsonSchema = (path: IssuePath): IssuePath => (path[0] === 'type' ? path : ['json_schema', ...path]);

/**
 * `response_format`: `{type: "text" | "json_object"}` or
 * `{type: "json_schema", json_schema: {name, description, schema, strict}}`.
 */
export const openaiResponseFormatSchema = z
  .discriminatedUnion(
    'type',
    [
      z.strictObject({ type: z.literal('text') }),
      z.strictObject({ type: z.literal('json_object') }),
      z.strictObject({
        type: z.literal('json_schema'),
        json_schema: z.record(z.string(), z.unknown(), {
          error: 'must be an object: {name, description?, schema, strict?}',
        }),
      }),
    ],
    {
      error:
        'must be {"type":"text"}, {"type":"json_object"} or {"type":"json_schema","json_schema":{"name","schema"}}',
    },
  )
  .nullish()
  .transform((format) => {
    if (format == null) return undefined;
    if (format.type !== 'json_schema') return format;
    const { type: _ignored, ...fields } = withoutNulls(format.json_schema) as Record<string, unknown>;
    return { ...fields, type: 'json_schema' };
  })
  .transform(checkedBy(sharedResponseFormat as z.ZodType<ResponseFormat | undefined>, inJsonSchema));

/** Where the shared cross-field checks' paths (`tools.0.name`, `toolChoice.name`) lie in OpenAI's body. */
function toOpenAIToolPath(path: IssuePath): IssuePath {
  const [field, ...rest] = path;
  if (field === 'tools') return ['tools', ...inFunction(rest)];
  if (field === 'toolChoice') return rest.length > 0 ? ['tool_choice', 'function', ...rest] : ['tool_choice'];
  return path;
}

/** The shared rules across tool fields (unique names, a named choice among the tools), in OpenAI's names. */
export function checkOpenAIToolFields<T>(
  fields: { tools: ToolDefinition[] | undefined; toolChoice: ToolChoice | undefined },
  ctx: z.core.$RefinementCtx<T>,
): void {
  checkToolFields(fields, renamingContext(ctx, toOpenAIToolPath));
}
