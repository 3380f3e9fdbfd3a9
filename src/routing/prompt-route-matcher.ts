import type { Principal } from '../auth/principal.js';
import type { ChatMessage } from '../core/messages.js';
import type { ModelRef } from '../core/model-ref.js';
import type { PromptRoutedPool } from './model-pools.js';
import type { PromptMatch } from './route-explanation.js';

/** Who pays for an embedding and when to give up on it. */
export interface EmbeddingCaller {
  /** The key the request authenticated with: the embedding is billed and recorded under it. */
  principal: Principal;
  signal: AbortSignal;
}

/**
 * Embeds texts through the gateway's own embeddings path (routing, retries, a recorded and
 * billed usage row of kind `embedding`). Routing names no service: the app passes one in.
 */
export type TextEmbedder = (model: string, texts: string[], caller: EmbeddingCaller) => Promise<number[][]>;

/** Where route examples' vectors are kept, so a restart does not embed them again. */
export interface RouteVectorStore {
  load(model: string, texts: readonly string[]): Promise<Map<string, number[]>>;
  save(model: string, vectors: ReadonlyMap<string, number[]>): Promise<void>;
}

interface IndexedRoute {
  name: string;
  models: ModelRef[];
  vectors: { values: number[]; norm: number }[];
}

const normOf = (values: readonly number[]) => {
  let sum = 0;
  for (const value of values) sum += value * value;
  return Math.sqrt(sum);
};

/** Cosine similarity of two vectors (over their common length); 0 when either is all zeros. */
export function cosineSimilarity(
  a: readonly number[],
  b: readonly number[],
  normA = normOf(a),
  normB = normOf(b),
) {
  if (normA === 0 || normB === 0) return 0;
  const length = Math.min(a.length, b.length);
  let dot = 0;
  for (let index = 0; index < length; index++) dot += a[index]! * b[index]!;
  return dot / (normA * normB);
}

/** The route whose nearest utterance is closest to the vector, with that similarity. */
export function closestRoute(
  vector: readonly number[],
  routes: readonly IndexedRoute[],
): { route: IndexedRoute; similarity: number } | undefined {
  const norm = normOf(vector);
  let best: { route: IndexedRoute; similarity: number } | undefined;
  for (const route of routes) {
    for (const example of route.vectors) {
      const similarity = cosineSimilarity(vector, example.values, norm, example.norm);
      if (!best || similarity > best.similarity) best = { route, similarity };
    }
  }
  return best;
}

/** The text prompt-aware routing matches: the last user message's text parts. */
export function lastUserText(messages: readonly ChatMessage[]): string {
  for (let index = messages.length - 1; index >= 0; index--) {
    const message = messages[index]!;
    if (message.role !== 'user') continue;
    return message.content
      .map((part) => (part.type === 'text' ? part.text : ''))
      .join(' ')
      .trim();
  }
  return '';
}

/** What a prompt-aware pool stands for in one request. */
export interface PoolChoice {
  models: ModelRef[];
  match: PromptMatch;
}

/**
 * Chooses the pool of `auto` (or a group with routes) by meaning (SPEC §10): the route
 * examples are embedded once (on first use, then kept in the database), the last user
 * message once per request; the closest route at or above the threshold supplies the
 * models, else the default pool does.
 */
export class PromptRouteMatcher {
  readonly #indexes = new Map<string, Promise<IndexedRoute[]>>();

  constructor(
    private readonly embed: TextEmbedder,
    private readonly store: RouteVectorStore,
  ) {}

  /** The pool without embedding anything (a dry run): its default models. */
  unmatched(pool: PromptRoutedPool, note: string): PoolChoice {
    return { models: pool.defaultModels, match: this.#match(pool, undefined, undefined, note) };
  }

  async choose(
    pool: PromptRoutedPool,
    messages: readonly ChatMessage[],
    caller: EmbeddingCaller,
  ): Promise<PoolChoice> {
    const text = lastUserText(messages);
    if (text === '') return this.unmatched(pool, 'no user text to match: the default pool was used');
    let routes: IndexedRoute[];
    let vector: number[];
    try {
      [routes, [vector = []]] = await Promise.all([
        this.#indexOf(pool, caller),
        this.embed(pool.embeddingModel, [text], caller),
      ]);
    } catch (error) {
      if (caller.signal.aborted) throw error;
      // Routing by meaning is a refinement: without it the default pool still answers.
      const reason = error instanceof Error ? error.message : 'unknown error';
      return this.unmatched(pool, `the prompt could not be matched (${reason}): the default pool was used`);
    }
    const best = closestRoute(vector, routes);
    if (best && best.similarity >= pool.threshold)
      return { models: best.route.models, match: this.#match(pool, best.route.name, best) };
    return { models: pool.defaultModels, match: this.#match(pool, undefined, best) };
  }

  #match(
    pool: PromptRoutedPool,
    route: string | undefined,
    best: { route: IndexedRoute; similarity: number } | undefined,
    note?: string,
  ): PromptMatch {
    return {
      pool: pool.id,
      route,
      similarity: best?.similarity,
      closestRoute: best?.route.name,
      threshold: pool.threshold,
      embeddingModel: pool.embeddingModel,
      note,
    };
  }

  /** The pool's routes with their examples' vectors: from the database, embedding only what it lacks. */
  #indexOf(pool: PromptRoutedPool, caller: EmbeddingCaller): Promise<IndexedRoute[]> {
    let index = this.#indexes.get(pool.id);
    if (!index) {
      index = this.#build(pool, caller);
      this.#indexes.set(pool.id, index);
      // A failed build is tried again by the next request.
      index.catch(() => this.#indexes.delete(pool.id));
    }
    return index;
  }

  async #build(pool: PromptRoutedPool, caller: EmbeddingCaller): Promise<IndexedRoute[]> {
    const texts = [...new Set(pool.routes.flatMap((route) => route.utterances))];
    const vectors = await this.store.load(pool.embeddingModel, texts);
    const missing = texts.filter((text) => !vectors.has(text));
    if (missing.length > 0) {
      const embedded = await this.embed(pool.embeddingModel, missing, caller);
      const fresh = new Map(missing.map((text, position) => [text, embedded[position] ?? []]));
      await this.store.save(pool.embeddingModel, fresh);
      for (const [text, values] of fresh) vectors.set(text, values);
    }
    return pool.routes.map((route) => ({
      name: route.name,
      models: route.models,
      vectors: route.utterances.map((text) => {
        const values = vectors.get(text) ?? [];
        return { values, norm: normOf(values) };
      }),
    }));
  }
}
