import { useQuery } from '@urql/preact';
import { useState } from 'preact/hooks';
import { CreateKeyForm } from '../components/create-key-form.js';
import { EmptyState } from '../components/empty-state.js';
import { ErrorNotice } from '../components/error-notice.js';
import { KeyCard, type KeyRecord } from '../components/key-card.js';
import { Loading } from '../components/loading.js';
import { limitsFields } from '../lib/limits.js';
import { useMe } from '../lib/me.js';

const keysQuery = `
  query Keys {
    apiKeys {
      id name prefix scopes createdAt lastUsedAt revokedAt
      limits { ${limitsFields} }
      budget { limit spent reserved remaining period windowStart }
    }
  }
`;

/** Admin: every key with its budget and limits; make, limit and revoke keys. */
export function Keys() {
  const me = useMe();
  const [showRevoked, setShowRevoked] = useState(false);
  const [{ data, fetching, error }, refetch] = useQuery<{ apiKeys: KeyRecord[] }>({
    query: keysQuery,
    pause: !me.admin,
    requestPolicy: 'cache-and-network',
  });
  if (!me.admin)
    return <EmptyState>Keys are managed with an admin key. This key ({me.name}) is a user key.</EmptyState>;

  const keys = (data?.apiKeys ?? []).filter((key) => showRevoked || key.revokedAt === null);
  const revokedCount =
    (data?.apiKeys ?? []).length - (data?.apiKeys ?? []).filter((key) => key.revokedAt === null).length;
  return (
    <section class="page" data-testid="keys">
      <div class="page-head">
        <h1>Keys</h1>
        <label class="check">
          <input
            type="checkbox"
            checked={showRevoked}
            onChange={(event) => setShowRevoked(event.currentTarget.checked)}
          />
          Show revoked ({revokedCount})
        </label>
      </div>
      <CreateKeyForm onCreated={() => refetch({ requestPolicy: 'network-only' })} />
      {error ? <ErrorNotice error={error} title="The keys could not be loaded" /> : null}
      {!data && fetching ? <Loading what="Loading keys" /> : null}
      {data && keys.length === 0 ? <EmptyState>No key to show.</EmptyState> : null}
      <div class="key-list">
        {keys.map((key) => (
          <KeyCard key={key.id} apiKey={key} isSelf={key.id === me.id} />
        ))}
      </div>
    </section>
  );
}
