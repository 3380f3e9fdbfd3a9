import { z } from 'zod';
import { toolNamePattern } from '../../core/completion-request.js';
import type { ToolChoice, ToolDefinition } from '../../core/generation-options.js';

/**
 * Anthropic's `tools` and `tool_choice`. Custom tools map to ours; the `web_search` server
 * tool asks for a grounded answer (`search: true`, each provider's own search or the
 * configured backend); other server tools (bash, code execution, text editor…) run on
 * Anthropic's side only and are refused.
 */

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const hint = z.unknown().optional();
const toolName = z.string().regex(toolNamePattern, 'must match ^[a-zA-Z0-9_-]{1,64}$');

const customTool = z.strictObject({
  type: z.literal('custom'),
  name: toolName,
  description: z.string().optional(),
  input_schema: z.custom<Record<string, unknown>>(
    (value) => isRecord(value) && value.type === 'object',
    'must be a JSON Schema object ({"type":"object",…})',
  ),
  strict: z.boolean().optional(),
  cache_control: hint,
  eager_input_streaming: hint,
});

const noDomains = (value: unknown) =>
  value === undefined || value === null || (Array.isArray(value) && value.length === 0);
const domainRule = 'is not supported: web search cannot be limited to or away from domains';

const webSearchTool = z.strictObject({
  type: z.enum(['web_search_20250305', 'web_search_20260209', 'web_search_20260318']),
  name: z.literal('web_search'),
  // How many searches, and where the user is: hints to the search, not promises about it.
  max_uses: z.int().min(1).nullish(),
  user_location: hint,
  cache_control: hint,
  allowed_domains: z.unknown().refine(noDomains, domainRule).optional(),
  blocked_domains: z.unknown().refine(noDomains, domainRule).optional(),
});

/** A tool without `type` (or with `null`) is a custom tool, as Anthropic reads it. */
const withType = (tool: unknown) =>
  isRecord(tool) && (tool.type === undefined || tool.type === null) ? { ...tool, type: 'custom' } : tool;

const toolSchema = z.preprocess(
  withType,
  z.discriminatedUnion('type', [customTool, webSearchTool], {
    error:
      'must be a custom tool ({name, description, input_schema}) or the web_search server tool; other server tools are not supported',
  }),
);

export const toolsSchema = z.array(toolSchema);
export type AnthropicTool = z.infer<typeof toolSchema>;

export const toolChoiceSchema = z.discriminatedUnion(
  'type',
  [
    z.strictObject({ type: z.literal('auto'), disable_parallel_tool_use: z.boolean().optional() }),
    z.strictObject({ type: z.literal('any'), disable_parallel_tool_use: z.boolean().optional() }),
    z.strictObject({
      type: z.literal('tool'),
      name: toolName,
      disable_parallel_tool_use: z.boolean().optional(),
    }),
    z.strictObject({ type: z.literal('none') }),
  ],
  { error: 'must be {"type": "auto" | "any" | "tool" | "none"}' },
);
export type AnthropicToolChoice = z.infer<typeof toolChoiceSchema>;

/** The custom tools, as ours. */
export const toToolDefinitions = (tools: readonly AnthropicTool[]): ToolDefinition[] =>
  tools.flatMap((tool) =>
    tool.type === 'custom'
      ? [
          {
            name: tool.name,
            description: tool.description,
            parameters: tool.input_schema,
            strict: tool.strict,
          },
        ]
      : [],
  );

export const asksForWebSearch = (tools: readonly AnthropicTool[]): boolean =>
  tools.some((tool) => tool.type !== 'custom');

/** `any` is OpenAI's `required`; `tool` names the one to call. */
export function toToolChoice(choice: AnthropicToolChoice): ToolChoice {
  switch (choice.type) {
    case 'any':
      return 'required';
    case 'tool':
      return { name: choice.name };
    default:
      return choice.type;
  }
}

/** `disable_parallel_tool_use: true` is our `parallelToolCalls: false`; otherwise the provider's default. */
export const parallelToolCallsOf = (choice: AnthropicToolChoice | undefined): false | undefined =>
  choice !== undefined && choice.type !== 'none' && choice.disable_parallel_tool_use === true
    ? false
    : undefined;

/** Unique names, and a `tool` choice among the custom tools (SPEC §6), with Anthropic's field paths. */
export function checkAnthropicTools(
  tools: readonly AnthropicTool[],
  choice: AnthropicToolChoice | undefined,
  ctx: z.RefinementCtx,
): void {
  const seen = new Set<string>();
  const names = new Set<string>();
  for (const [index, tool] of tools.entries()) {
    if (seen.has(tool.name))
      ctx.addIssue({
        code: 'custom',
        path: ['tools', index, 'name'],
        message: `"${tool.name}" is used by an earlier tool: names must be unique`,
      });
    seen.add(tool.name);
    if (tool.type === 'custom') names.add(tool.name);
  }
  if (choice?.type === 'tool' && !names.has(choice.name))
    ctx.addIssue({
      code: 'custom',
      path: ['tool_choice', 'name'],
      message: `"${choice.name}" is not one of the request's tools`,
    });
  if (choice?.type === 'any' && names.size === 0)
    ctx.addIssue({ code: 'custom', path: ['tool_choice'], message: '"any" needs at least one tool' });
}
