import { useState } from 'preact/hooks';

/** Edits a title in place; Escape or Cancel gives up. */
export function RenameForm({
  title,
  onSave,
  onCancel,
  saving,
}: {
  title: string;
  onSave: (title: string) => void;
  onCancel: () => void;
  saving: boolean;
}) {
  const [value, setValue] = useState(title);
  return (
    <form
      class="rename"
      onSubmit={(event) => {
        event.preventDefault();
        if (value.trim()) onSave(value.trim());
      }}
    >
      <input
        aria-label="Title"
        value={value}
        maxLength={200}
        onInput={(event) => setValue(event.currentTarget.value)}
        onKeyDown={(event) => event.key === 'Escape' && onCancel()}
      />
      <button type="submit" class="button button-primary" disabled={saving || !value.trim()}>
        Save
      </button>
      <button type="button" class="button button-quiet" onClick={onCancel}>
        Cancel
      </button>
    </form>
  );
}
