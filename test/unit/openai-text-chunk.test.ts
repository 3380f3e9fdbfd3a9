import { describe, expect, it } from 'vitest';
import { openaiChatChunkSchema } from '../../src/providers/openai-chat/openai-chat-chunk.js';
import { plainTextOfChunk } from '../../src/providers/openai-chat/openai-text-chunk.js';

const textChunk = (delta: object, extra: object = {}, choice: object = {}) => ({
  id: 'chatcmpl-1',
  object: 'chat.completion.chunk',
  created: 1,
  model: 'gpt',
  system_fingerprint: 'fp',
  choices: [{ index: 0, delta, logprobs: null, finish_reason: null, ...choice }],
  ...extra,
});

describe('the plain text chunk check', () => {
  it('reads the text of a chunk that carries only text, as the full schema does', () => {
    for (const chunk of [
      textChunk({ content: 'hello' }),
      textChunk({ role: 'assistant', content: '' }),
      textChunk({ content: 'x', refusal: null, tool_calls: null }, { usage: null, obfuscation: 'abc' }),
      { choices: [{ delta: { content: 'no index' } }] },
    ]) {
      const text = plainTextOfChunk(chunk);
      expect(text).toBeTypeOf('string');
      expect(openaiChatChunkSchema.parse(chunk).choices?.[0]?.delta?.content).toBe(text);
    }
  });

  it('leaves every other chunk to the schema', () => {
    for (const chunk of [
      textChunk({ content: 'end' }, {}, { finish_reason: 'stop' }),
      textChunk({ content: 'a' }, { usage: { prompt_tokens: 1, completion_tokens: 1 } }),
      textChunk({ content: 'a' }, {}, { logprobs: { content: [] } }),
      textChunk({ content: 'a' }, {}, { index: 1 }),
      textChunk({ reasoning_content: 'thinking' }),
      textChunk({ content: 'a', reasoning: 'thinking' }),
      textChunk({ refusal: 'no' }),
      textChunk({ content: null, tool_calls: [{ index: 0, id: 'c', function: { name: 'f' } }] }),
      textChunk({ content: [{ type: 'text', text: 'typed' }] }),
      { error: { message: 'overloaded' } },
      { choices: [textChunk({}).choices[0], textChunk({}).choices[0]] },
      { choices: [] },
      'text',
      null,
    ]) {
      expect(plainTextOfChunk(chunk)).toBeUndefined();
    }
  });
});
