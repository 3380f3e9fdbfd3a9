import type {
  JSONObject,
  JSONSchema7,
  LanguageModelV3CallOptions,
  LanguageModelV3FunctionTool,
  LanguageModelV3ToolChoice,
} from '@ai-sdk/provider';
import type { ResponseFormat, ToolChoice, ToolDefinition } from '../../core/generation-options.js';

/** Our tools as the AI SDK's function tools (each SDK provider writes its own wire shape). */
export const convertTools = (tools: readonly ToolDefinition[]): LanguageModelV3FunctionTool[] =>
  tools.map((tool) => ({
    type: 'function',
    name: tool.name,
    ...(tool.description === undefined ? {} : { description: tool.description }),
    // Validated as a JSON Schema object at the edge.
    inputSchema: tool.parameters as JSONSchema7,
    ...(tool.strict === undefined ? {} : { strict: tool.strict }),
  }));

export const convertToolChoice = (choice: ToolChoice): LanguageModelV3ToolChoice =>
  typeof choice === 'object' ? { type: 'tool', toolName: choice.name } : { type: choice };

/**
 * The answer's shape as the AI SDK's response format. `json_object` goes with
 * `jsonObjectSchema` where the SDK provider asks for JSON only with a schema (Anthropic).
 */
export function convertResponseFormat(
  format: ResponseFormat | undefined,
  jsonObjectSchema: JSONObject | undefined,
): LanguageModelV3CallOptions['responseFormat'] {
  if (format === undefined || format.type === 'text') return undefined;
  if (format.type === 'json_object')
    return jsonObjectSchema ? { type: 'json', schema: jsonObjectSchema as JSONSchema7 } : { type: 'json' };
  return {
    type: 'json',
    schema: format.schema as JSONSchema7,
    name: format.name,
    ...(format.description === undefined ? {} : { description: format.description }),
  };
}
