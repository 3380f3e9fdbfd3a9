import { formatCount, formatMs, formatUsd } from '../lib/format.js';

/** One upstream try, in the fields both `Attempt` and `RecordedAttempt` have. */
export interface AttemptFigures {
  provider: string;
  model: string;
  outcome: string;
  errorKind: string | null;
  status: number | null;
  latency: number;
  ttft: number | null;
  cost: string;
}

/** Every upstream try of one completion, in order. */
export function AttemptsTable({ attempts }: { attempts: AttemptFigures[] }) {
  if (attempts.length === 0) return <p class="muted small">No upstream attempt was made.</p>;
  return (
    <div class="table-wrap">
      <table class="table table-compact" data-testid="attempts">
        <thead>
          <tr>
            <th>#</th>
            <th>Model</th>
            <th>Outcome</th>
            <th class="num">Latency</th>
            <th class="num">TTFT</th>
            <th class="num">Cost</th>
          </tr>
        </thead>
        <tbody>
          {attempts.map((attempt, index) => (
            <tr key={index}>
              <td>{formatCount(index + 1)}</td>
              <td>
                {attempt.provider}/{attempt.model}
              </td>
              <td>
                <span class={`pill pill-${attempt.outcome.toLowerCase()}`}>
                  {attempt.outcome.toLowerCase()}
                </span>
                {attempt.errorKind ? (
                  <span class="muted small">
                    {' '}
                    {attempt.errorKind}
                    {attempt.status ? ` (${attempt.status})` : ''}
                  </span>
                ) : null}
              </td>
              <td class="num">{formatMs(attempt.latency)}</td>
              <td class="num">{formatMs(attempt.ttft)}</td>
              <td class="num">{formatUsd(attempt.cost)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
