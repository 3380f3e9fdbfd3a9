import { useState } from 'preact/hooks';
import { ErrorNotice } from '../components/error-notice.js';
import { fetchMe, type Me } from '../lib/me.js';

/** Paste a key; it is checked against the API and kept for this browser session only. */
export function SignIn({ onSignedIn }: { onSignedIn: (key: string, me: Me) => void }) {
  const [key, setKey] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [checking, setChecking] = useState(false);

  const submit = async (event: Event) => {
    event.preventDefault();
    const trimmed = key.trim();
    if (!trimmed) return setError('Paste an API key first.');
    setChecking(true);
    setError(null);
    try {
      const me = await fetchMe(trimmed);
      if (me) onSignedIn(trimmed, me);
      else setError('The gateway does not accept this key (unknown or revoked).');
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : String(failure));
    } finally {
      setChecking(false);
    }
  };

  return (
    <main class="sign-in">
      <form class="panel sign-in-form" onSubmit={submit}>
        <h1>Switchyard</h1>
        <p class="muted">
          Sign in with an API key. An admin key sees every key's data; a user key sees its own. The key is
          kept in this browser tab only and is forgotten when the tab closes.
        </p>
        <label for="api-key">API key</label>
        <input
          id="api-key"
          name="api-key"
          type="password"
          autocomplete="off"
          spellcheck={false}
          placeholder="sy-…"
          value={key}
          onInput={(event) => setKey(event.currentTarget.value)}
        />
        {error ? <ErrorNotice title="Not signed in" error={error} /> : null}
        <button type="submit" class="button button-primary" disabled={checking}>
          {checking ? 'Checking…' : 'Sign in'}
        </button>
        <p class="muted small">
          The first start of the gateway prints an admin key; <code>npm run keys</code> makes more.
        </p>
      </form>
    </main>
  );
}
