import { describe, expect, it } from 'vitest';
import { ModelPools } from '../../src/routing/model-pools.js';
import {
  cosineSimilarity,
  type EmbeddingCaller,
  PromptRouteMatcher,
  type RouteVectorStore,
} from '../../src/routing/prompt-route-matcher.js';
import { openaiEmbeddings } from '../upstreams/embeddings.js';
import { startUpstream, type Upstream } from '../upstreams/index.js';

/** Vectors by topic, as the scripted embedding upstream answers them. */
const topicVector = (text: string): number[] => {
  if (/code|function|bug|python/i.test(text)) return [1, 0.1, 0];
  if (/joke|hello|how are you|weekend/i.test(text)) return [0.1, 1, 0];
  return [0, 0, 1];
};

const scriptedEmbeddings = async () => {
  const upstream = await startUpstream();
  upstream.replyByDefault((request) => {
    const body = request.body as { input: string[] };
    return openaiEmbeddings.vectors(body.input.map(topicVector));
  });
  return upstream;
};

/** Embeds by calling the scripted upstream the way an OpenAI embeddings client would. */
const embedderOf = (upstream: Upstream) => async (model: string, texts: string[]) => {
  const response = await fetch(`${upstream.url}/v1/embeddings`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model, input: texts }),
  });
  const body = (await response.json()) as { data: { embedding: number[] }[] };
  return body.data.map((item) => item.embedding);
};

class MemoryVectors implements RouteVectorStore {
  readonly rows = new Map<string, number[]>();
  async load(model: string, texts: readonly string[]) {
    const found = new Map<string, number[]>();
    for (const text of texts) {
      const vector = this.rows.get(`${model}|${text}`);
      if (vector) found.set(text, vector);
    }
    return found;
  }
  async save(model: string, vectors: ReadonlyMap<string, number[]>) {
    for (const [text, vector] of vectors) this.rows.set(`${model}|${text}`, vector);
  }
}

const pools = new ModelPools(
  {},
  {
    embeddingModel: 'openai/text-embedding-3-small',
    threshold: 0.8,
    routes: [
      { name: 'code', utterances: ['write a python function', 'fix this bug'], models: ['acme/coder'] },
      { name: 'casual', utterances: ['tell me a joke', 'hello, how are you?'], models: ['acme/fast'] },
    ],
    defaultModels: ['acme/general'],
  },
);
const auto = pools.promptRouted({ id: 'auto', provider: '', model: 'auto' })!;
const caller: EmbeddingCaller = {
  principal: { keyId: 'k', name: 'k', admin: false },
  signal: new AbortController().signal,
};
const ask = (text: string) => [{ role: 'user' as const, content: [{ type: 'text' as const, text }] }];

describe('the prompt route matcher', () => {
  it('measures cosine similarity', () => {
    expect(cosineSimilarity([1, 0], [1, 0])).toBe(1);
    expect(cosineSimilarity([1, 0], [0, 1])).toBe(0);
    expect(cosineSimilarity([1, 1], [2, 2])).toBeCloseTo(1, 12);
    expect(cosineSimilarity([0, 0], [1, 0])).toBe(0);
  });

  it('sends prompts of different kinds to their routes, and below the threshold to the default pool', async () => {
    const upstream = await scriptedEmbeddings();
    try {
      const store = new MemoryVectors();
      const matcher = new PromptRouteMatcher(embedderOf(upstream), store);
      const code = await matcher.choose(auto, ask('my code has a bug in this function'), caller);
      expect(code.models.map((ref) => ref.id)).toEqual(['acme/coder']);
      expect(code.match).toMatchObject({ pool: 'auto', route: 'code', closestRoute: 'code', threshold: 0.8 });
      expect(code.match.similarity).toBeCloseTo(1, 6);
      const chat = await matcher.choose(auto, ask('tell me about your weekend'), caller);
      expect(chat.models.map((ref) => ref.id)).toEqual(['acme/fast']);
      expect(chat.match.route).toBe('casual');
      const other = await matcher.choose(auto, ask('the capital of France?'), caller);
      expect(other.models.map((ref) => ref.id)).toEqual(['acme/general']);
      expect(other.match).toMatchObject({ route: undefined, similarity: 0 });

      // The examples were embedded once, in one call, and kept; then one call per prompt.
      const inputs = upstream.received.map((request) => (request.body as { input: string[] }).input);
      expect(inputs.filter((input) => input.length === 4)).toHaveLength(1);
      expect(inputs).toHaveLength(4);
      expect(store.rows.size).toBe(4);
      // A new matcher (a restart) finds the examples in the store and embeds only the prompt.
      const restarted = new PromptRouteMatcher(embedderOf(upstream), store);
      await restarted.choose(auto, ask('write python'), caller);
      expect(upstream.received).toHaveLength(5);
    } finally {
      await upstream.close();
    }
  });

  it('uses the default pool, saying why, when the prompt cannot be embedded', async () => {
    const failing = new PromptRouteMatcher(async () => {
      throw new Error('every candidate failed');
    }, new MemoryVectors());
    const choice = await failing.choose(auto, ask('fix this bug'), caller);
    expect(choice.models.map((ref) => ref.id)).toEqual(['acme/general']);
    expect(choice.match.note).toContain('every candidate failed');
  });
});
