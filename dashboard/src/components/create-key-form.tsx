import { useMutation } from '@urql/preact';
import { useState } from 'preact/hooks';
import { emptyDraft, limitsFields, limitsInput } from '../lib/limits.js';
import { ErrorNotice } from './error-notice.js';
import { LimitsFields } from './limits-fields.js';
import { SecretReveal } from './secret-reveal.js';

const createMutation = `
  mutation CreateKey($input: CreateApiKeyInput!) {
    createApiKey(input: $input) { secret apiKey { id name prefix scopes createdAt limits { ${limitsFields} } } }
  }
`;

/** Makes a key with a name, a scope and limits, then shows its secret once. */
export function CreateKeyForm({ onCreated }: { onCreated: () => void }) {
  const [name, setName] = useState('');
  const [admin, setAdmin] = useState(false);
  const [draft, setDraft] = useState(emptyDraft);
  const [created, setCreated] = useState<{ name: string; secret: string } | null>(null);
  const [result, create] = useMutation<{ createApiKey: { secret: string; apiKey: { name: string } } }>(
    createMutation,
  );

  const submit = async (event: Event) => {
    event.preventDefault();
    const answer = await create({
      input: { name: name.trim(), scopes: admin ? ['ADMIN'] : ['USER'], limits: limitsInput(draft) },
    });
    if (answer.data) {
      setCreated({ name: answer.data.createApiKey.apiKey.name, secret: answer.data.createApiKey.secret });
      setName('');
      setAdmin(false);
      setDraft(emptyDraft);
      onCreated();
    }
  };

  // The secret lives in this component's state only: dismissed, it is gone for good.
  if (created)
    return <SecretReveal name={created.name} secret={created.secret} onDismiss={() => setCreated(null)} />;
  return (
    <form class="panel create-key" onSubmit={submit} data-testid="create-key">
      <h2>New key</h2>
      <div class="form-row">
        <label class="grow">
          Name
          <input
            required
            maxLength={100}
            value={name}
            onInput={(event) => setName(event.currentTarget.value)}
          />
        </label>
        <label class="check">
          <input
            type="checkbox"
            checked={admin}
            onChange={(event) => setAdmin(event.currentTarget.checked)}
          />
          Admin (manages keys, sees everything)
        </label>
      </div>
      <LimitsFields draft={draft} onChange={setDraft} />
      {result.error ? <ErrorNotice error={result.error} title="The key was not created" /> : null}
      <button type="submit" class="button button-primary" disabled={result.fetching || !name.trim()}>
        Create key
      </button>
    </form>
  );
}
