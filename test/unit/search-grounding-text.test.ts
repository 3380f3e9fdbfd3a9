import { describe, expect, it } from 'vitest';
import type { ChatMessage } from '../../src/core/messages.js';
import { buildSearchQuery } from '../../src/search/build-search-query.js';
import { buildSourcesMessage, insertSourcesMessage } from '../../src/search/build-sources-message.js';

const turn = (role: ChatMessage['role'], text: string): ChatMessage => ({
  role,
  content: [{ type: 'text', text }],
});

describe('buildSearchQuery', () => {
  it('uses the last user message, on one line', () => {
    expect(
      buildSearchQuery([
        turn('system', 'Be brief.'),
        turn('user', 'Tell me about Rust'),
        turn('assistant', 'Rust is…'),
        turn('user', 'What changed in the\n  latest stable release of the Rust compiler?'),
      ]),
    ).toBe('What changed in the latest stable release of the Rust compiler?');
  });

  it('gives a short follow-up the subject of the question before it', () => {
    expect(
      buildSearchQuery([
        turn('user', 'Population of France'),
        turn('assistant', '68 million'),
        turn('user', 'And in 1900?'),
      ]),
    ).toBe('Population of France And in 1900?');
  });

  it('cuts a long message at a word boundary', () => {
    const query = buildSearchQuery([turn('user', 'word '.repeat(200))]);
    expect(query.length).toBeLessThanOrEqual(300);
    expect(query.endsWith('word')).toBe(true);
  });

  it('is empty when no user message has text', () => {
    expect(
      buildSearchQuery([
        { role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://x/a.png' } }] },
      ]),
    ).toBe('');
  });
});

describe('the sources message', () => {
  const sources = buildSourcesMessage('tallest building', [
    { index: 1, url: 'https://a.example', title: 'A', snippet: 'alpha' },
    { index: 2, url: 'https://b.example', title: '', snippet: '' },
  ]);

  it('numbers the sources and asks for [n] citations', () => {
    expect(sources.role).toBe('system');
    const text = sources.content[0]!.type === 'text' ? sources.content[0]!.text : '';
    expect(text).toContain('"tallest building"');
    expect(text).toContain('[1] A\nhttps://a.example\nalpha');
    expect(text).toContain('[2] https://b.example\nhttps://b.example');
    expect(text).toContain('like [1] or [2][3]');
  });

  it('goes after the leading system messages, before the conversation', () => {
    const messages = [turn('system', 'Be brief.'), turn('user', 'q')];
    expect(insertSourcesMessage(messages, sources)).toEqual([messages[0], sources, messages[1]]);
    expect(insertSourcesMessage([turn('user', 'q')], sources)[0]).toBe(sources);
  });
});
