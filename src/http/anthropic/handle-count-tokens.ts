import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ToolDefinition } from '../../core/generation-options.js';
import type { ChatMessage } from '../../core/messages.js';
import { countMessageTokens, countTokens } from '../../core/token-count.js';
import { readJsonBody } from '../read-json-body.js';
import { sendJson } from '../send-json.js';
import { parseCountTokensBody } from './anthropic-request.js';

/** A tool's definition reaches the model as its name, description and schema text. */
const toolTokens = (tool: ToolDefinition): number =>
  countTokens(tool.name) + countTokens(tool.description ?? '') + countTokens(JSON.stringify(tool.parameters));

/**
 * The prompt's tokens by our tokenizer: exact for recent OpenAI models, an estimate for the
 * others, whatever provider would answer. No upstream is called and nothing is stored.
 */
export function estimateInputTokens(
  messages: readonly ChatMessage[],
  tools: readonly ToolDefinition[],
): number {
  return countMessageTokens(messages) + tools.reduce((total, tool) => total + toolTokens(tool), 0);
}

/** `POST /v1/messages/count_tokens`: `{"input_tokens": n}`. */
export async function handleCountTokens(
  req: IncomingMessage,
  res: ServerResponse,
  maxBodyBytes: number,
): Promise<void> {
  const { messages, tools } = parseCountTokensBody(await readJsonBody(req, maxBodyBytes));
  sendJson(res, 200, { input_tokens: estimateInputTokens(messages, tools) });
}
