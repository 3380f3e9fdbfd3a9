import { useQuery } from '@urql/preact';
import { useState } from 'preact/hooks';
import { EmptyState } from '../components/empty-state.js';
import { ErrorNotice } from '../components/error-notice.js';
import { Loading } from '../components/loading.js';
import { countOf, formatCount, formatTime, formatUsd } from '../lib/format.js';
import { Link } from '../lib/router.js';
import { useDebounced } from '../lib/use-debounced.js';

interface ConversationsData {
  conversations: {
    edges: {
      node: {
        id: string;
        title: string;
        lastActivityAt: string;
        totals: { requests: number; totalTokens: number; totalTokensCost: string };
      };
    }[];
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
  };
}

const conversationsQuery = `
  query Conversations($first: Int!, $after: String, $title: String) {
    conversations(first: $first, after: $after, title: $title) {
      edges { node { id title lastActivityAt totals { requests totalTokens totalTokensCost } } }
      pageInfo { hasNextPage endCursor }
    }
  }
`;
const pageSize = 20;

/** Conversations by last activity, newest first, with a title search and paging. */
export function Conversations() {
  const [search, setSearch] = useState('');
  const title = useDebounced(search.trim(), 250);
  // The cursors of the pages before this one, so "Previous" goes back exactly.
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const after = cursors[cursors.length - 1] ?? null;
  const [{ data, fetching, error }] = useQuery<ConversationsData>({
    query: conversationsQuery,
    variables: { first: pageSize, after, title: title || null },
    requestPolicy: 'cache-and-network',
  });
  const page = data?.conversations;

  return (
    <section class="page" data-testid="conversations">
      <div class="page-head">
        <h1>Conversations</h1>
        <input
          type="search"
          class="search"
          aria-label="Search titles"
          placeholder="Search titles"
          value={search}
          onInput={(event) => {
            setSearch(event.currentTarget.value);
            setCursors([null]);
          }}
        />
      </div>
      {error ? <ErrorNotice error={error} title="Conversations could not be loaded" /> : null}
      {!page && fetching ? <Loading what="Loading conversations" /> : null}
      {page && page.edges.length === 0 ? (
        <EmptyState>
          {title
            ? `No conversation title contains “${title}”.`
            : 'No conversations yet: every completion starts one.'}
        </EmptyState>
      ) : null}
      {page && page.edges.length > 0 ? (
        <>
          <ul class="list" data-testid="conversation-list">
            {page.edges.map(({ node }) => (
              <li key={node.id} class="list-item">
                <Link to={`/conversations/${node.id}`} class="list-title">
                  {node.title || 'Untitled'}
                </Link>
                <span class="muted small">
                  {formatTime(node.lastActivityAt)} · {countOf(node.totals.requests, 'completion')} ·{' '}
                  {formatCount(node.totals.totalTokens)} tokens · {formatUsd(node.totals.totalTokensCost)}
                </span>
              </li>
            ))}
          </ul>
          <div class="pager">
            <button
              type="button"
              class="button"
              disabled={cursors.length === 1}
              onClick={() => setCursors(cursors.slice(0, -1))}
            >
              Previous
            </button>
            <span class="muted">Page {cursors.length}</span>
            <button
              type="button"
              class="button"
              disabled={!page.pageInfo.hasNextPage}
              onClick={() => setCursors([...cursors, page.pageInfo.endCursor])}
            >
              Next
            </button>
          </div>
        </>
      ) : null}
    </section>
  );
}
