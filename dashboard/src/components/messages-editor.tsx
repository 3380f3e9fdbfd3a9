export interface DraftMessage {
  role: 'SYSTEM' | 'USER' | 'ASSISTANT';
  text: string;
}

const roles: DraftMessage['role'][] = ['SYSTEM', 'USER', 'ASSISTANT'];

/** The turns a playground request sends: a role and a text each. */
export function MessagesEditor({
  messages,
  onChange,
}: {
  messages: DraftMessage[];
  onChange: (messages: DraftMessage[]) => void;
}) {
  const update = (index: number, change: Partial<DraftMessage>) =>
    onChange(messages.map((message, at) => (at === index ? { ...message, ...change } : message)));
  return (
    <fieldset class="messages-editor">
      <legend>Messages</legend>
      {messages.map((message, index) => (
        <div class="draft" key={index}>
          <select
            aria-label={`Role of message ${index + 1}`}
            value={message.role}
            onChange={(event) => update(index, { role: event.currentTarget.value as DraftMessage['role'] })}
          >
            {roles.map((role) => (
              <option key={role} value={role}>
                {role.toLowerCase()}
              </option>
            ))}
          </select>
          <textarea
            aria-label={`Message ${index + 1}`}
            rows={message.role === 'SYSTEM' ? 2 : 3}
            value={message.text}
            placeholder={message.role === 'SYSTEM' ? 'Instructions for the model' : 'Say something'}
            onInput={(event) => update(index, { text: event.currentTarget.value })}
          />
          <button
            type="button"
            class="button button-quiet"
            aria-label={`Remove message ${index + 1}`}
            disabled={messages.length === 1}
            onClick={() => onChange(messages.filter((_, at) => at !== index))}
          >
            ✕
          </button>
        </div>
      ))}
      <button
        type="button"
        class="button"
        onClick={() => onChange([...messages, { role: 'USER', text: '' }])}
      >
        Add message
      </button>
    </fieldset>
  );
}
