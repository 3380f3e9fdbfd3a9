import { randomUUID } from 'node:crypto';
import type { CompletionRecord } from '../src/store/completion-recorder.js';

const models = [
  ['openai', 'gpt-4.1-mini'],
  ['openai', 'gpt-4.1'],
  ['anthropic', 'claude-sonnet-4-5'],
  ['anthropic', 'claude-haiku-4-5'],
  ['google', 'gemini-2.5-flash'],
  ['google', 'gemini-2.5-pro'],
  ['mistral', 'mistral-large'],
  ['openai', 'o4-mini'],
] as const;
/** Conversation titles start with one of these: a title filter matches about 5 % of them. */
export const topics =
  'invoice refund travel recipe garden python rust kubernetes tax poem contract resume physics chess marketing sql budget essay translation interview'.split(
    ' ',
  );
const userText =
  'Could you help me with this? I have been trying to work it out for a while and would like a clear answer with an example.';
const answerText = `Certainly. ${'Here is a step-by-step explanation with an example that should make it clear. '.repeat(5)}`;

/** Where one generated completion sits: its position in time, conversation and key. */
export interface RecordPlace {
  index: number;
  conversationIndex: number;
  /** 0 for the completion that starts the conversation. */
  turn: number;
  at: number;
  keyIndex: number;
  apiKeyId: string;
  conversationId: string;
}

/**
 * One completion as a gateway records it: one attempt, the user's turn and (unless it
 * failed, one in 40) the answer, in its conversation; models and latencies vary with the index.
 */
export function scaleRecord({
  index,
  conversationIndex,
  turn,
  at,
  keyIndex,
  apiKeyId,
  conversationId,
}: RecordPlace): CompletionRecord {
  const id = randomUUID();
  const [provider, model] = models[(index * 7 + keyIndex) % models.length]!;
  const failed = index % 40 === 0;
  const createdAt = new Date(at);
  const answerId = randomUUID();
  const latencyMs = 300 + ((index * 37) % 2_000);
  return {
    completion: {
      id,
      apiKeyId,
      conversationId,
      responseMessageId: failed ? null : answerId,
      provider,
      model,
      status: failed ? 'failed' : 'succeeded',
      errorCode: failed ? 'upstream_error' : null,
      stream: index % 2 === 0,
      promptTokens: 40 + turn * 60,
      completionTokens: failed ? 0 : 120,
      inputCost: '0.000040000000',
      outputCost: failed ? '0' : '0.000480000000',
      totalCost: failed ? '0.000040000000' : '0.000520000000',
      latencyMs,
      ttftMs: failed ? null : Math.round(latencyMs / 4),
      createdAt,
    },
    attempts: [
      {
        completionId: id,
        position: 0,
        provider,
        model,
        outcome: failed ? 'failed' : 'succeeded',
        errorKind: failed ? 'server' : null,
        httpStatus: failed ? 500 : 200,
        latencyMs,
        ttftMs: failed ? null : Math.round(latencyMs / 4),
        promptTokens: 40 + turn * 60,
        completionTokens: failed ? 0 : 120,
        cost: failed ? '0' : '0.000520000000',
      },
    ],
    conversation: {
      id: conversationId,
      apiKeyId,
      title: `${topics[conversationIndex % topics.length]} question ${conversationIndex}`,
      isNew: turn === 0,
      at: createdAt,
    },
    messages: [
      {
        id: randomUUID(),
        conversationId,
        role: 'user',
        content: [{ type: 'text', text: userText }],
        createdAt,
      },
      ...(failed
        ? []
        : [
            {
              id: answerId,
              conversationId,
              role: 'assistant' as const,
              content: [{ type: 'text' as const, text: answerText }],
              provider,
              model,
              createdAt: new Date(at + latencyMs),
            },
          ]),
    ],
  };
}
