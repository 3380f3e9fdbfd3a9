import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completionMutation, echoInput, queryData } from '../support/graphql.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { drivers } from '../support/test-database.js';

const conversationQuery = `
  query Conversation($id: ID!) {
    conversation(id: $id) {
      messages {
        role
        completion {
          status promptTokens completionTokens totalCost latency ttft
          attempts { provider model outcome latency cost }
        }
      }
    }
  }
`;

interface Turn {
  role: string;
  completion: {
    status: string;
    promptTokens: number;
    completionTokens: number;
    totalCost: string;
    latency: number;
    ttft: number | null;
    attempts: { provider: string; model: string; outcome: string; latency: number; cost: string }[];
  } | null;
}

interface Made {
  completion: {
    conversationId: string;
    latency: number;
    usage: { promptTokens: number; completionTokens: number; costs: { totalTokensCost: string } };
  };
}

describe.each(drivers)("an assistant turn's completion on %s", (driver) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({
      driver,
      configFile: { models: [{ id: 'local/echo', inputPricePerMTok: 0.5, outputPricePerMTok: 4 }] },
    });
  });
  afterAll(() => t?.close());

  it('carries the cost, timing and attempts of the completion that wrote it; other turns carry none', async () => {
    const first = await queryData<Made>(t.url, completionMutation, { input: echoInput('hello there') });
    const { conversationId } = first.completion;
    const second = await queryData<Made>(t.url, completionMutation, {
      input: { ...echoInput('and again'), conversationId },
    });
    await t.settled();
    const { conversation } = await queryData<{ conversation: { messages: Turn[] } }>(
      t.url,
      conversationQuery,
      {
        id: conversationId,
      },
    );
    const answers = conversation.messages.filter((message) => message.role === 'ASSISTANT');
    expect(
      conversation.messages.filter((message) => message.role !== 'ASSISTANT').map((m) => m.completion),
    ).toEqual([null, null, null, null]);
    expect(answers).toHaveLength(2);
    for (const [index, made] of [first, second].entries()) {
      const turn = answers[index]!.completion!;
      expect(turn).toMatchObject({
        status: 'succeeded',
        promptTokens: made.completion.usage.promptTokens,
        completionTokens: made.completion.usage.completionTokens,
        totalCost: made.completion.usage.costs.totalTokensCost,
        latency: made.completion.latency,
      });
      expect(turn.attempts).toEqual([
        expect.objectContaining({
          provider: 'local',
          model: 'echo',
          outcome: 'succeeded',
          cost: turn.totalCost,
        }),
      ]);
    }
  });
});
