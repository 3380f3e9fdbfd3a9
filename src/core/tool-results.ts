import { GatewayError } from './gateway-error.js';
import type { ChatMessage } from './messages.js';

/**
 * Every `tool` turn of the request must answer a call made in an earlier turn (stored or
 * sent): a result for no call is a client mistake no provider would accept (SPEC §6).
 * `firstRequestTurn` is where the request's own messages start, for the error's field path.
 */
export function checkToolResults(messages: readonly ChatMessage[], firstRequestTurn: number): void {
  const calls = new Set<string>();
  const problems: string[] = [];
  for (const [position, message] of messages.entries()) {
    for (const part of message.content) if (part.type === 'tool_call') calls.add(part.id);
    if (message.role === 'tool' && message.toolCallId !== undefined && !calls.has(message.toolCallId)) {
      problems.push(
        `messages.${position - firstRequestTurn}.toolCallId: "${message.toolCallId}" matches no tool call of an earlier assistant turn`,
      );
    }
  }
  if (problems.length > 0)
    throw new GatewayError('invalid_request', `invalid request: ${problems.join('; ')}`, {
      fields: problems,
    });
}
