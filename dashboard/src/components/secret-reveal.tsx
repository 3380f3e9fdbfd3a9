import { CopyButton } from './copy-button.js';

/** A new key's secret: shown this once, until dismissed; it is not kept anywhere. */
export function SecretReveal({
  name,
  secret,
  onDismiss,
}: {
  name: string;
  secret: string;
  onDismiss: () => void;
}) {
  return (
    <div class="secret" role="alert" data-testid="secret">
      <strong>Key “{name}” created. Copy its secret now: it is shown only this once.</strong>
      <div class="secret-row">
        <code data-testid="secret-value">{secret}</code>
        <CopyButton text={secret} />
      </div>
      <button type="button" class="button" onClick={onDismiss}>
        I have copied it
      </button>
    </div>
  );
}
