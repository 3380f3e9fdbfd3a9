/**
 * One instance's recent figures of one model, compact enough to send to the rest of the
 * fleet every second. Percentiles travel as computed; merged ones are approximations
 * (weighted by sample counts), which is all a ranking needs.
 */
export interface FigureSummary {
  /** Attempts and failures in the observation window. */
  attempts: number;
  failed: number;
  /** Moving averages (see ModelEstimate). */
  ttftMs?: number | undefined;
  msPerOutputToken?: number | undefined;
  /** Successful attempts behind the percentiles. */
  samples: number;
  ttftP50Ms?: number | undefined;
  ttftP95Ms?: number | undefined;
  latencyP50Ms?: number | undefined;
  latencyP95Ms?: number | undefined;
  /** Set while the model's circuit is open there: how long it stays open. */
  openForMs?: number | undefined;
}

type Figure = Exclude<keyof FigureSummary, 'attempts' | 'failed' | 'samples' | 'openForMs'>;

/** Heard figures older than this are dropped (their instance stopped publishing: gone or cut off). */
export const remoteFiguresTtlMs = 5_000;

/** What other instances last said, by instance, with when it was heard. */
export class FleetFigures {
  readonly #bySource = new Map<string, { heardAt: number; models: Record<string, FigureSummary> }>();

  constructor(private readonly now: () => number) {}

  /** Keeps what `source` said about its models (replacing what it said before). */
  merge(source: string, models: Record<string, FigureSummary>): void {
    this.#bySource.set(source, { heardAt: this.now(), models });
  }

  forget(source: string): void {
    this.#bySource.delete(source);
  }

  /** The fresh summaries of one model, one per instance that has figures for it. */
  of(modelId: string): FigureSummary[] {
    const cutoff = this.now() - remoteFiguresTtlMs;
    const found: FigureSummary[] = [];
    for (const [source, heard] of this.#bySource) {
      if (heard.heardAt < cutoff) {
        this.#bySource.delete(source);
        continue;
      }
      const summary = heard.models[modelId];
      if (summary) found.push(summary);
    }
    return found;
  }

  /** Instances heard from recently (this one not included). */
  get instances(): number {
    const cutoff = this.now() - remoteFiguresTtlMs;
    let count = 0;
    for (const heard of this.#bySource.values()) if (heard.heardAt >= cutoff) count++;
    return count;
  }
}

/** Failed / attempts over every summary; 0 without attempts. */
export function mergedErrorRate(summaries: FigureSummary[]): { attempts: number; errorRate: number } {
  let attempts = 0;
  let failed = 0;
  for (const summary of summaries) {
    attempts += summary.attempts;
    failed += summary.failed;
  }
  return { attempts, errorRate: attempts ? failed / attempts : 0 };
}

/**
 * A figure averaged over the summaries that have it, each weighted by how much traffic
 * stands behind it (a busy instance's experience counts more than an idle one's).
 */
export function mergedFigure(
  summaries: FigureSummary[],
  figure: Figure,
  weightOf: (summary: FigureSummary) => number,
): number | undefined {
  let sum = 0;
  let weights = 0;
  for (const summary of summaries) {
    const value = summary[figure];
    if (value === undefined) continue;
    const weight = Math.max(1, weightOf(summary));
    sum += value * weight;
    weights += weight;
  }
  return weights ? sum / weights : undefined;
}
