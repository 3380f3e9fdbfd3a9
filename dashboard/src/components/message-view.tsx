import { formatCount, formatMs, formatTime, formatUsd } from '../lib/format.js';
import { type AttemptFigures, AttemptsTable } from './attempts-table.js';
import { ContentPartView, type Part } from './content-part-view.js';

/** One turn of a conversation, as the conversation page asks for it. */
export interface Turn {
  id: string;
  role: 'SYSTEM' | 'USER' | 'ASSISTANT' | 'TOOL';
  toolCallId: string | null;
  provider: string | null;
  model: string | null;
  complete: boolean;
  createdAt: string;
  content: Part[];
  citations: { index: number; title: string; url: string; snippet: string }[];
  completion: {
    status: string;
    promptTokens: number;
    completionTokens: number;
    reasoningTokens: number;
    totalCost: string;
    latency: number;
    ttft: number | null;
    attempts: AttemptFigures[];
  } | null;
}

/** A turn with its parts, its sources and, for an answer, what it cost and how it was routed. */
export function MessageView({ turn }: { turn: Turn }) {
  const { completion } = turn;
  return (
    <article class={`turn turn-${turn.role.toLowerCase()}`} data-testid="turn">
      <header class="turn-head">
        <strong>{turn.role === 'TOOL' ? 'Tool result' : turn.role.toLowerCase()}</strong>
        {turn.toolCallId ? <code class="small">{turn.toolCallId}</code> : null}
        {turn.model ? (
          <span class="muted small">
            {turn.provider}/{turn.model}
          </span>
        ) : null}
        {!turn.complete ? <span class="pill pill-incomplete">cut short</span> : null}
        <span class="muted small turn-time">{formatTime(turn.createdAt)}</span>
      </header>
      {turn.content.map((part, index) => (
        <ContentPartView key={index} part={part} />
      ))}
      {turn.citations.length > 0 ? (
        <ol class="citations">
          {turn.citations.map((citation) => (
            <li key={citation.index} value={citation.index}>
              <a href={citation.url} target="_blank" rel="noreferrer noopener">
                {citation.title || citation.url}
              </a>
              <span class="muted small"> {citation.snippet}</span>
            </li>
          ))}
        </ol>
      ) : null}
      {completion ? (
        <details class="turn-completion">
          <summary>
            {formatUsd(completion.totalCost)} · {formatCount(completion.promptTokens)} in /{' '}
            {formatCount(completion.completionTokens)} out · {formatMs(completion.latency)} · TTFT{' '}
            {formatMs(completion.ttft)} · {completion.attempts.length}{' '}
            {completion.attempts.length === 1 ? 'attempt' : 'attempts'}
          </summary>
          <AttemptsTable attempts={completion.attempts} />
        </details>
      ) : null}
    </article>
  );
}
