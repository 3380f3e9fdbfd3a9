import { useMutation, useQuery } from '@urql/preact';
import { useState } from 'preact/hooks';
import { ConfirmButton } from '../components/confirm-button.js';
import { EmptyState } from '../components/empty-state.js';
import { ErrorNotice } from '../components/error-notice.js';
import { Loading } from '../components/loading.js';
import { MessageView, type Turn } from '../components/message-view.js';
import { RenameForm } from '../components/rename-form.js';
import { countOf, formatCount, formatTime, formatUsd } from '../lib/format.js';
import { Link, navigate } from '../lib/router.js';

interface ConversationData {
  conversation: {
    id: string;
    title: string;
    createdAt: string;
    lastActivityAt: string;
    totals: { requests: number; totalTokens: number; totalTokensCost: string };
    messages: Turn[];
  } | null;
}

const conversationQuery = `
  query Conversation($id: ID!) {
    conversation(id: $id) {
      id title createdAt lastActivityAt
      totals { requests totalTokens totalTokensCost }
      messages {
        id role toolCallId provider model complete createdAt
        content { type text imageUrl id name arguments }
        citations { index title url snippet }
        completion {
          status promptTokens completionTokens reasoningTokens totalCost latency ttft
          attempts { provider model outcome errorKind status latency ttft cost }
        }
      }
    }
  }
`;
const renameMutation = `
  mutation Rename($id: ID!, $title: String!) { renameConversation(id: $id, title: $title) { id title } }
`;
const deleteMutation = 'mutation Delete($id: ID!) { deleteConversation(id: $id) }';

const isNotFound = (error: { graphQLErrors: { extensions?: Record<string, unknown> }[] }) =>
  error.graphQLErrors.some((one) => one.extensions?.code === 'NOT_FOUND');

/** One conversation's turns, with rename and delete. */
export function Conversation({ id }: { id: string }) {
  const [{ data, fetching, error }] = useQuery<ConversationData>({
    query: conversationQuery,
    variables: { id },
    requestPolicy: 'cache-and-network',
  });
  const [renaming, setRenaming] = useState(false);
  const [rename, runRename] = useMutation(renameMutation);
  const [removal, runDelete] = useMutation(deleteMutation);
  const conversation = data?.conversation;

  const back = <Link to="/conversations">← Conversations</Link>;
  if (error && isNotFound(error))
    return <EmptyState>This conversation does not exist, or is not yours. {back}</EmptyState>;
  if (error) return <ErrorNotice error={error} title="The conversation could not be loaded" />;
  if (!conversation)
    return fetching ? (
      <Loading what="Loading the conversation" />
    ) : (
      <EmptyState>Not found. {back}</EmptyState>
    );

  const remove = async () => {
    const result = await runDelete({ id });
    if (!result.error) navigate('/conversations');
  };

  return (
    <section class="page" data-testid="conversation">
      <div class="crumbs">{back}</div>
      <div class="page-head">
        {renaming ? (
          <RenameForm
            title={conversation.title}
            saving={rename.fetching}
            onCancel={() => setRenaming(false)}
            onSave={async (title) => {
              const result = await runRename({ id, title });
              if (!result.error) setRenaming(false);
            }}
          />
        ) : (
          <h1 data-testid="conversation-title">{conversation.title || 'Untitled'}</h1>
        )}
        <div class="toolbar">
          {renaming ? null : (
            <button type="button" class="button" onClick={() => setRenaming(true)}>
              Rename
            </button>
          )}
          <ConfirmButton
            label="Delete"
            confirmLabel="Delete for good"
            disabled={removal.fetching}
            onConfirm={remove}
          />
        </div>
      </div>
      {rename.error ? <ErrorNotice error={rename.error} title="Not renamed" /> : null}
      {removal.error ? <ErrorNotice error={removal.error} title="Not deleted" /> : null}
      <p class="muted">
        Started {formatTime(conversation.createdAt)} · last activity {formatTime(conversation.lastActivityAt)}{' '}
        · {countOf(conversation.totals.requests, 'completion')} ·{' '}
        {formatCount(conversation.totals.totalTokens)} tokens ·{' '}
        {formatUsd(conversation.totals.totalTokensCost)}
      </p>
      {conversation.messages.length === 0 ? <EmptyState>This conversation has no turns.</EmptyState> : null}
      <div class="turns">
        {conversation.messages.map((turn) => (
          <MessageView key={turn.id} turn={turn} />
        ))}
      </div>
    </section>
  );
}
