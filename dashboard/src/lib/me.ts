import { createContext } from 'preact';
import { useContext } from 'preact/hooks';

/** The key the dashboard is signed in with (never its secret). */
export interface Me {
  id: string;
  name: string;
  admin: boolean;
}

export const MeContext = createContext<Me | null>(null);

export function useMe(): Me {
  const me = useContext(MeContext);
  if (!me) throw new Error('useMe outside a signed-in page');
  return me;
}

export const meQuery = 'query Me { me { id name admin } }';

/** Asks the API who a key is; null when the key is refused. */
export async function fetchMe(key: string): Promise<Me | null> {
  const response = await fetch('/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify({ query: meQuery }),
  });
  if (response.status === 401) return null;
  const body = (await response.json()) as { data?: { me: Me }; errors?: { message: string }[] };
  if (!body.data) throw new Error(body.errors?.[0]?.message ?? `the API answered ${response.status}`);
  return body.data.me;
}
