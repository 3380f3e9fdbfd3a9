import { useMutation } from '@urql/preact';
import { useState } from 'preact/hooks';
import { formatTime } from '../lib/format.js';
import { draftOf, type Limits, limitsFields, limitsInput } from '../lib/limits.js';
import { type Budget, BudgetMeter } from './budget-meter.js';
import { ConfirmButton } from './confirm-button.js';
import { ErrorNotice } from './error-notice.js';
import { LimitsFields } from './limits-fields.js';

/** A key as the keys page lists it: never its secret, only the prefix that recognises it. */
export interface KeyRecord {
  id: string;
  name: string;
  prefix: string;
  scopes: ('ADMIN' | 'USER')[];
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
  limits: Limits;
  budget: Budget | null;
}

const setLimitsMutation = `
  mutation SetLimits($id: ID!, $limits: ApiKeyLimitsInput!) {
    setApiKeyLimits(id: $id, limits: $limits) { id limits { ${limitsFields} } budget { limit spent reserved remaining period windowStart } }
  }
`;
const revokeMutation = 'mutation Revoke($id: ID!) { revokeApiKey(id: $id) { id revokedAt } }';

const describeLimits = (limits: Limits): string => {
  const parts = [
    limits.requestsPerMinute ? `${limits.requestsPerMinute} req/min` : null,
    limits.tokensPerMinute ? `${limits.tokensPerMinute} tok/min` : null,
    limits.maxConcurrentRequests ? `${limits.maxConcurrentRequests} at once` : null,
    limits.allowedModels ? `only ${limits.allowedModels.join(', ')}` : null,
  ].filter(Boolean);
  return parts.length > 0 ? parts.join(' · ') : 'no rate limits';
};

/** One key: its scope, use, budget and limits, with "Edit limits" and "Revoke". */
export function KeyCard({ apiKey, isSelf }: { apiKey: KeyRecord; isSelf: boolean }) {
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState(() => draftOf(apiKey.limits));
  const [saving, save] = useMutation(setLimitsMutation);
  const [revoking, revoke] = useMutation(revokeMutation);
  const revoked = apiKey.revokedAt !== null;

  const submit = async (event: Event) => {
    event.preventDefault();
    const result = await save({ id: apiKey.id, limits: limitsInput(draft) });
    if (!result.error) setEditing(false);
  };

  return (
    <article
      class={`panel key-card${revoked ? ' key-revoked' : ''}`}
      data-testid="key-card"
      data-key-name={apiKey.name}
    >
      <header class="key-head">
        <strong>{apiKey.name}</strong>
        <code class="small">{apiKey.prefix}…</code>
        {apiKey.scopes.includes('ADMIN') ? <span class="badge">admin</span> : null}
        {isSelf ? <span class="badge badge-quiet">this key</span> : null}
        {revoked ? (
          <span class="pill pill-failed">revoked</span>
        ) : (
          <span class="pill pill-succeeded">active</span>
        )}
      </header>
      <p class="muted small">
        Created {formatTime(apiKey.createdAt)} ·{' '}
        {apiKey.lastUsedAt ? `last used ${formatTime(apiKey.lastUsedAt)}` : 'never used'}
        {revoked ? ` · revoked ${formatTime(apiKey.revokedAt!)}` : ''}
      </p>
      <BudgetMeter budget={apiKey.budget} />
      <p class="small">{describeLimits(apiKey.limits)}</p>
      {editing ? (
        <form onSubmit={submit} class="edit-limits">
          <LimitsFields draft={draft} onChange={setDraft} />
          {saving.error ? <ErrorNotice error={saving.error} title="Limits not saved" /> : null}
          <div class="form-actions">
            <button type="submit" class="button button-primary" disabled={saving.fetching}>
              Save limits
            </button>
            <button type="button" class="button button-quiet" onClick={() => setEditing(false)}>
              Cancel
            </button>
          </div>
        </form>
      ) : null}
      {revoking.error ? <ErrorNotice error={revoking.error} title="Not revoked" /> : null}
      {revoked || editing ? null : (
        <div class="form-actions">
          <button
            type="button"
            class="button"
            onClick={() => {
              setDraft(draftOf(apiKey.limits));
              setEditing(true);
            }}
          >
            Edit limits
          </button>
          {isSelf ? null : (
            <ConfirmButton
              label="Revoke"
              confirmLabel="Revoke now"
              disabled={revoking.fetching}
              onConfirm={() => revoke({ id: apiKey.id })}
            />
          )}
        </div>
      )}
    </article>
  );
}
