import type { CombinedError } from '@urql/core';

/** What went wrong, in the API's own words (GraphQL errors) or the network's. */
export function ErrorNotice({
  error,
  title = 'Something went wrong',
}: {
  error: CombinedError | Error | string;
  title?: string;
}) {
  const message =
    typeof error === 'string'
      ? error
      : 'graphQLErrors' in error && error.graphQLErrors.length > 0
        ? error.graphQLErrors.map((one) => one.message).join('; ')
        : error.message;
  return (
    <div class="state state-error" role="alert">
      <strong>{title}</strong>
      <span>{message}</span>
    </div>
  );
}
