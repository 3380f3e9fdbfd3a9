import type { ComponentChildren } from 'preact';

/** Said when a list or chart has nothing to show yet, with what would fill it. */
export function EmptyState({ children }: { children: ComponentChildren }) {
  return <div class="state state-empty">{children}</div>;
}
