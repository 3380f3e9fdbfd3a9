import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import type { CompletionRecord } from '../store/completion-recorder.js';
import { TallyCounter } from './tally-counter.js';
import { TallyHistogram } from './tally-histogram.js';

/** Prometheus metrics of one gateway process, served at /metrics. */
export class GatewayMetrics {
  readonly registry = new Registry();
  readonly #completions: TallyCounter<'provider' | 'model' | 'status'>;
  readonly #attempts: TallyCounter<'provider' | 'model' | 'outcome' | 'error_kind'>;
  readonly #tokens: TallyCounter<'provider' | 'model' | 'kind'>;
  readonly #cost: TallyCounter<'provider' | 'model'>;
  readonly #latency: TallyHistogram<'provider' | 'model'>;
  readonly #ttft: TallyHistogram<'provider' | 'model'>;
  readonly httpRequests: TallyCounter<'route' | 'status'>;

  constructor() {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: 'switchyard_process_' });
    this.httpRequests = new TallyCounter({
      name: 'switchyard_http_requests_total',
      help: 'HTTP requests by route and status',
      labelNames: ['route', 'status'],
      registers,
    });
    this.#completions = new TallyCounter({
      name: 'switchyard_completions_total',
      help: 'Completions by final status',
      labelNames: ['provider', 'model', 'status'],
      registers,
    });
    this.#attempts = new TallyCounter({
      name: 'switchyard_upstream_attempts_total',
      help: 'Upstream attempts by outcome and error kind',
      labelNames: ['provider', 'model', 'outcome', 'error_kind'],
      registers,
    });
    this.#tokens = new TallyCounter({
      name: 'switchyard_tokens_total',
      help: 'Tokens by kind (prompt, completion, reasoning, cached)',
      labelNames: ['provider', 'model', 'kind'],
      registers,
    });
    this.#cost = new TallyCounter({
      name: 'switchyard_cost_dollars_total',
      help: 'Cost of completions in US dollars',
      labelNames: ['provider', 'model'],
      registers,
    });
    const buckets = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];
    this.#latency = new TallyHistogram({
      name: 'switchyard_completion_latency_seconds',
      help: 'From request arrival to the last token',
      labelNames: ['provider', 'model'],
      buckets,
      registers,
    });
    this.#ttft = new TallyHistogram({
      name: 'switchyard_completion_ttft_seconds',
      help: 'From request arrival to the first token',
      labelNames: ['provider', 'model'],
      buckets,
      registers,
    });
  }

  /** Exposes the write queue: its depth and what it could not write. */
  trackRecorder(recorder: { readonly queued: number; readonly lost: number }): void {
    const registers = [this.registry];
    new Gauge({
      name: 'switchyard_record_queue_depth',
      help: 'Completions answered but not yet written',
      registers,
      collect() {
        this.set(recorder.queued);
      },
    });
    new Gauge({
      name: 'switchyard_records_lost',
      help: 'Completions that could not be written since boot',
      registers,
      collect() {
        this.set(recorder.lost);
      },
    });
  }

  /** Counts what one request stored. */
  observe(record: CompletionRecord): void {
    const { completion } = record;
    const provider = completion.provider ?? 'none';
    const model = completion.model ?? 'none';
    this.#completions.add(1, provider, model, completion.status);
    for (const attempt of record.attempts) {
      this.#attempts.add(1, attempt.provider, attempt.model, attempt.outcome, attempt.errorKind ?? 'none');
    }
    if (completion.status === 'failed') return;
    this.#tokens.add(completion.promptTokens ?? 0, provider, model, 'prompt');
    this.#tokens.add(completion.completionTokens ?? 0, provider, model, 'completion');
    this.#tokens.add(completion.reasoningTokens ?? 0, provider, model, 'reasoning');
    this.#tokens.add(completion.cachedTokens ?? 0, provider, model, 'cached');
    this.#cost.add(Number(completion.totalCost ?? 0), provider, model);
    this.#latency.observe(completion.latencyMs / 1000, provider, model);
    if (completion.ttftMs != null) this.#ttft.observe(completion.ttftMs / 1000, provider, model);
  }
}
