/** A quiet placeholder while a query is in flight. */
export function Loading({ what = 'Loading' }: { what?: string }) {
  return (
    <p class="state state-loading" role="status" aria-live="polite">
      {what}…
    </p>
  );
}
