import { Provider } from '@urql/preact';
import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';
import { Layout } from './components/layout.js';
import { Loading } from './components/loading.js';
import { createApiClient } from './lib/client.js';
import { fetchMe, type Me, MeContext } from './lib/me.js';
import { usePath } from './lib/router.js';
import { forgetKey, readKey, saveKey } from './lib/session.js';
import { Conversation } from './pages/conversation.js';
import { Conversations } from './pages/conversations.js';
import { Keys } from './pages/keys.js';
import { Live } from './pages/live.js';
import { Models } from './pages/models.js';
import { NotFound } from './pages/not-found.js';
import { Overview } from './pages/overview.js';
import { Playground } from './pages/playground.js';
import { SignIn } from './pages/sign-in.js';

function Page({ path }: { path: string }) {
  if (path === '/') return <Overview />;
  if (path === '/live') return <Live />;
  if (path === '/conversations') return <Conversations />;
  const conversation = /^\/conversations\/([^/]+)$/.exec(path);
  if (conversation) return <Conversation id={decodeURIComponent(conversation[1]!)} />;
  if (path === '/playground') return <Playground />;
  if (path === '/models') return <Models />;
  if (path === '/keys') return <Keys />;
  return <NotFound />;
}

/** Signed out: the sign-in page. Signed in: the pages, with a GraphQL client for the key. */
export function App() {
  const path = usePath();
  const [key, setKey] = useState(readKey);
  const [me, setMe] = useState<Me | null>(null);
  const [restoreError, setRestoreError] = useState(false);

  const signIn = (newKey: string, newMe: Me) => {
    saveKey(newKey);
    setRestoreError(false);
    setMe(newMe);
    setKey(newKey);
  };
  const signOut = useCallback(() => {
    forgetKey();
    setKey(null);
    setMe(null);
  }, []);

  // A key kept from earlier in this tab session is checked again before it is used.
  useEffect(() => {
    if (!key || me) return;
    fetchMe(key)
      .then((found) => (found ? setMe(found) : signOut()))
      .catch(() => setRestoreError(true));
  }, [key, me, signOut]);

  const api = useMemo(() => (key ? createApiClient(key, signOut) : null), [key, signOut]);
  useEffect(() => () => api?.close(), [api]);

  if (!key || !api) {
    return <SignIn onSignedIn={signIn} />;
  }
  if (!me) {
    return restoreError ? <SignIn onSignedIn={signIn} /> : <Loading what="Signing in" />;
  }
  return (
    <Provider value={api.client}>
      <MeContext.Provider value={me}>
        <Layout path={path} onSignOut={signOut}>
          <Page path={path} />
        </Layout>
      </MeContext.Provider>
    </Provider>
  );
}
