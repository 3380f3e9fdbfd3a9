import { AttemptsTable } from '../components/attempts-table.js';
import { ErrorNotice } from '../components/error-notice.js';
import { RoutingView } from '../components/routing-view.js';
import { formatCount, formatMs, formatUsd } from '../lib/format.js';
import { Link } from '../lib/router.js';
import type { RunState } from './playground-stream.js';

/** The answer as it streams in, then what it cost, its attempts and how it was routed. */
export function PlaygroundAnswer({ run }: { run: RunState }) {
  if (run.status === 'idle') return <p class="muted">The answer streams in here.</p>;
  const { completion } = run;
  return (
    <div class="answer" data-testid="answer" data-status={run.status}>
      <div class="answer-head">
        <strong>
          {completion ? `${completion.provider}/${completion.model}` : (run.source ?? 'Routing…')}
        </strong>
        {run.status === 'streaming' ? <span class="live-dot live-on">streaming</span> : null}
      </div>
      {run.reasoning ? (
        <details class="part-reasoning">
          <summary>Reasoning</summary>
          <div class="part-text">{run.reasoning}</div>
        </details>
      ) : null}
      <div class="part-text answer-text" data-testid="answer-text">
        {run.text}
      </div>
      {run.toolCalls.map((call, index) => (
        <div class="part-tool-call" key={index}>
          Tool call <code>{call.name}</code>
          <pre>{call.arguments}</pre>
        </div>
      ))}
      {run.error ? <ErrorNotice error={run.error} title="The completion failed" /> : null}
      {completion ? (
        <>
          <p class="muted" data-testid="answer-figures">
            {formatUsd(completion.usage.costs.totalTokensCost)} · {formatCount(completion.usage.promptTokens)}{' '}
            in / {formatCount(completion.usage.completionTokens)} out · latency {formatMs(completion.latency)}{' '}
            · TTFT {formatMs(completion.ttft)} · finish {completion.finishReason.toLowerCase()} ·{' '}
            <Link to={`/conversations/${completion.conversationId}`}>
              open “{completion.conversationTitle}”
            </Link>
          </p>
          <h3>Attempts</h3>
          <AttemptsTable attempts={completion.attempts} />
          {completion.routing ? <RoutingView routing={completion.routing} /> : null}
        </>
      ) : null}
    </div>
  );
}
