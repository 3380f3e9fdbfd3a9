import { asc, inArray } from 'drizzle-orm';
import type { Db } from '../db/database.js';
import { attempts, completions } from '../db/schema.js';

/** One upstream try of a stored completion, as recorded. */
export interface RecordedAttempt {
  provider: string;
  model: string;
  outcome: 'succeeded' | 'failed' | 'incomplete' | 'cancelled';
  errorKind: string | null;
  httpStatus: number | null;
  latencyMs: number;
  ttftMs: number | null;
  promptTokens: number;
  completionTokens: number;
  /** US dollars, exact. */
  cost: string;
}

/** The completion that wrote one assistant turn: what it used, cost and took. */
export interface TurnCompletion {
  id: string;
  status: 'succeeded' | 'incomplete' | 'failed';
  promptTokens: number;
  completionTokens: number;
  reasoningTokens: number;
  /** US dollars, exact. */
  totalCost: string;
  latencyMs: number;
  ttftMs: number | null;
  attempts: RecordedAttempt[];
}

/** Reads the completions behind assistant turns, by the turns' message ids. */
export class TurnCompletionQueries {
  constructor(private readonly db: Db) {}

  async byResponseMessage(messageIds: readonly string[]): Promise<Map<string, TurnCompletion>> {
    const found = new Map<string, TurnCompletion>();
    if (messageIds.length === 0) return found;
    const rows = await this.db
      .select({
        id: completions.id,
        responseMessageId: completions.responseMessageId,
        status: completions.status,
        promptTokens: completions.promptTokens,
        completionTokens: completions.completionTokens,
        reasoningTokens: completions.reasoningTokens,
        totalCost: completions.totalCost,
        latencyMs: completions.latencyMs,
        ttftMs: completions.ttftMs,
      })
      .from(completions)
      .where(inArray(completions.responseMessageId, [...messageIds]));
    if (rows.length === 0) return found;
    const tries = await this.db
      .select()
      .from(attempts)
      .where(
        inArray(
          attempts.completionId,
          rows.map((row) => row.id),
        ),
      )
      .orderBy(asc(attempts.completionId), asc(attempts.position));
    const byCompletion = new Map<string, RecordedAttempt[]>();
    for (const one of tries) {
      const list = byCompletion.get(one.completionId) ?? [];
      list.push({
        provider: one.provider,
        model: one.model,
        outcome: one.outcome,
        errorKind: one.errorKind,
        httpStatus: one.httpStatus,
        latencyMs: one.latencyMs,
        ttftMs: one.ttftMs,
        promptTokens: one.promptTokens,
        completionTokens: one.completionTokens,
        cost: one.cost,
      });
      byCompletion.set(one.completionId, list);
    }
    for (const { responseMessageId, ...row } of rows) {
      if (responseMessageId)
        found.set(responseMessageId, { ...row, attempts: byCompletion.get(row.id) ?? [] });
    }
    return found;
  }
}
