import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';

// The dashboard's own paths, under /ui/; the gateway answers any of them with index.html.
const base = '/ui';
const navigated = 'switchyard:navigate';

const currentPath = (): string => {
  const path = location.pathname.startsWith(base) ? location.pathname.slice(base.length) : location.pathname;
  return path === '' ? '/' : path;
};

export function navigate(to: string): void {
  history.pushState(null, '', `${base}${to}`);
  window.dispatchEvent(new Event(navigated));
}

/** The current path below /ui, e.g. "/conversations/<id>"; re-renders on navigation. */
export function usePath(): string {
  const [path, setPath] = useState(currentPath);
  useEffect(() => {
    const update = () => setPath(currentPath());
    window.addEventListener('popstate', update);
    window.addEventListener(navigated, update);
    return () => {
      window.removeEventListener('popstate', update);
      window.removeEventListener(navigated, update);
    };
  }, []);
  return path;
}

interface LinkProps {
  to: string;
  children: ComponentChildren;
  class?: string;
  'aria-current'?: 'page' | undefined;
}

/** An ordinary link that navigates without a page load (a modified click still opens a tab). */
export function Link({ to, children, ...rest }: LinkProps) {
  return (
    <a
      href={`${base}${to}`}
      onClick={(event) => {
        if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
        event.preventDefault();
        navigate(to);
      }}
      {...rest}
    >
      {children}
    </a>
  );
}
