import { and, eq, inArray } from 'drizzle-orm';
import type { Db } from '../db/database.js';
import { routeEmbeddings } from '../db/schema.js';
import type { RouteVectorStore } from '../routing/prompt-route-matcher.js';

/** Route examples' vectors in the `route_embeddings` table. */
export class RouteVectorTable implements RouteVectorStore {
  constructor(private readonly db: Db) {}

  async load(model: string, texts: readonly string[]): Promise<Map<string, number[]>> {
    if (texts.length === 0) return new Map();
    const rows = await this.db
      .select({ text: routeEmbeddings.text, vector: routeEmbeddings.vector })
      .from(routeEmbeddings)
      .where(and(eq(routeEmbeddings.model, model), inArray(routeEmbeddings.text, [...texts])));
    return new Map(rows.map((row) => [row.text, row.vector]));
  }

  async save(model: string, vectors: ReadonlyMap<string, number[]>): Promise<void> {
    if (vectors.size === 0) return;
    await this.db
      .insert(routeEmbeddings)
      .values([...vectors].map(([text, vector]) => ({ model, text, vector })))
      .onConflictDoNothing();
  }
}
