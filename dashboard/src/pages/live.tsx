import { useQuery, useSubscription } from '@urql/preact';
import { useMemo } from 'preact/hooks';
import { EmptyState } from '../components/empty-state.js';
import { ErrorNotice } from '../components/error-notice.js';
import { formatCount, formatMs, formatUsd, shortId } from '../lib/format.js';
import { useMe } from '../lib/me.js';
import { Link } from '../lib/router.js';

interface CompletionEvent {
  id: string;
  apiKeyId: string;
  conversationId: string | null;
  createdAt: string;
  status: 'SUCCEEDED' | 'INCOMPLETE' | 'FAILED';
  errorCode: string | null;
  provider: string | null;
  model: string | null;
  stream: boolean;
  latency: number;
  ttft: number | null;
  attempts: number;
  usage: { totalTokens: number; totalCost: string };
}

const eventsSubscription = `
  subscription Live {
    completionEvents {
      id apiKeyId conversationId createdAt status errorCode provider model stream latency ttft attempts
      usage { totalTokens totalCost }
    }
  }
`;
const keyNamesQuery = 'query KeyNames { apiKeys { id name } }';
const kept = 200;

/** Completions as they finish (the `completionEvents` subscription over graphql-ws), newest first. */
export function Live() {
  const me = useMe();
  const [{ data: events, error }] = useSubscription<{ completionEvents: CompletionEvent }, CompletionEvent[]>(
    { query: eventsSubscription },
    (seen = [], received) => [received.completionEvents, ...seen].slice(0, kept),
  );
  const [{ data: keys }] = useQuery<{ apiKeys: { id: string; name: string }[] }>({
    query: keyNamesQuery,
    pause: !me.admin,
  });
  const keyName = useMemo(() => {
    const names = new Map((keys?.apiKeys ?? []).map((key) => [key.id, key.name]));
    return (id: string) => names.get(id) ?? (id === me.id ? me.name : shortId(id));
  }, [keys, me]);

  return (
    <section class="page" data-testid="live">
      <div class="page-head">
        <h1>Live</h1>
        <span class={`live-dot ${error ? 'live-off' : 'live-on'}`}>
          {error ? 'disconnected' : 'listening'}
        </span>
      </div>
      <p class="muted">
        Completions of {me.admin ? 'every key' : 'your key'} as they finish, on any instance. The newest{' '}
        {kept} stay here while the page is open.
      </p>
      {error ? <ErrorNotice error={error} title="The live feed stopped" /> : null}
      {!events || events.length === 0 ? (
        <EmptyState>Waiting for completions… run one in the playground and it shows up here.</EmptyState>
      ) : (
        <div class="table-wrap">
          <table class="table" data-testid="live-table">
            <thead>
              <tr>
                <th>Finished</th>
                <th>Status</th>
                <th>Model</th>
                {me.admin ? <th>Key</th> : null}
                <th class="num">Tokens</th>
                <th class="num">Cost</th>
                <th class="num">Latency</th>
                <th class="num">TTFT</th>
                <th class="num">Attempts</th>
              </tr>
            </thead>
            <tbody>
              {events.map((event) => (
                <tr key={event.id} data-testid="live-row">
                  <td>
                    {event.conversationId ? (
                      <Link to={`/conversations/${event.conversationId}`}>
                        {new Date(event.createdAt).toLocaleTimeString('en-GB')}
                      </Link>
                    ) : (
                      new Date(event.createdAt).toLocaleTimeString('en-GB')
                    )}
                  </td>
                  <td>
                    <span
                      class={`pill pill-${event.status.toLowerCase()}`}
                      title={event.errorCode ?? undefined}
                    >
                      {event.status.toLowerCase()}
                    </span>
                  </td>
                  <td>
                    {event.provider && event.model
                      ? `${event.provider}/${event.model}`
                      : (event.errorCode ?? '—')}
                  </td>
                  {me.admin ? <td>{keyName(event.apiKeyId)}</td> : null}
                  <td class="num">{formatCount(event.usage.totalTokens)}</td>
                  <td class="num">{formatUsd(event.usage.totalCost)}</td>
                  <td class="num">{formatMs(event.latency)}</td>
                  <td class="num">{formatMs(event.ttft)}</td>
                  <td class="num">{event.attempts}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
