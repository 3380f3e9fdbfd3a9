import type { ComponentChildren } from 'preact';
import { useMe } from '../lib/me.js';
import { Link } from '../lib/router.js';

const pages = [
  { to: '/', label: 'Overview' },
  { to: '/live', label: 'Live' },
  { to: '/conversations', label: 'Conversations' },
  { to: '/playground', label: 'Playground' },
  { to: '/models', label: 'Models' },
  { to: '/keys', label: 'Keys', adminOnly: true },
];

const isCurrent = (to: string, path: string) => (to === '/' ? path === '/' : path.startsWith(to));

/** The frame of every signed-in page: the navigation, the key's name, and sign-out. */
export function Layout({
  path,
  onSignOut,
  children,
}: {
  path: string;
  onSignOut: () => void;
  children: ComponentChildren;
}) {
  const me = useMe();
  return (
    <div class="shell">
      <header class="topbar">
        <Link to="/" class="brand">
          Switchyard
        </Link>
        <nav aria-label="Pages">
          {pages
            .filter((page) => !page.adminOnly || me.admin)
            .map((page) => (
              <Link key={page.to} to={page.to} aria-current={isCurrent(page.to, path) ? 'page' : undefined}>
                {page.label}
              </Link>
            ))}
        </nav>
        <div class="whoami">
          <span
            data-testid="signed-in-as"
            title={me.admin ? 'admin key: sees every key' : 'user key: sees its own data'}
          >
            {me.name}
            {me.admin ? <span class="badge">admin</span> : null}
          </span>
          <button type="button" class="button button-quiet" onClick={onSignOut}>
            Sign out
          </button>
        </div>
      </header>
      <main class="content">{children}</main>
    </div>
  );
}
