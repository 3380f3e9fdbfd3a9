import type { Client } from '@urql/core';
import { useClient, useQuery } from '@urql/preact';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { ErrorNotice } from '../components/error-notice.js';
import { type DraftMessage, MessagesEditor } from '../components/messages-editor.js';
import { ModelPicker } from '../components/model-picker.js';
import { optionalFieldSelection } from '../lib/introspect-selection.js';
import { PlaygroundAnswer } from './playground-answer.js';
import { applyChunk, type Chunk, idle, type RunState, streamSubscription } from './playground-stream.js';

const chatModelsQuery = 'query ChatModels { models { id kind configured } }';
const strategies = ['BALANCED', 'ORDERED', 'CHEAPEST', 'FASTEST'] as const;

const splitList = (text: string) =>
  text
    .split(/[\s,]+/)
    .map((one) => one.trim())
    .filter(Boolean);

const optionalNumber = (text: string) => (text.trim() === '' ? undefined : Number(text));

/** Asked once per client: the routing explanation's selection, or '' while the schema lacks it. */
const routingSelections = new WeakMap<Client, Promise<string>>();
const routingSelection = (client: Client) => {
  let selection = routingSelections.get(client);
  if (!selection) {
    selection = optionalFieldSelection(client, 'Completion', 'routing').catch(() => '');
    routingSelections.set(client, selection);
  }
  return selection;
};

/** Sends one completion over graphql-ws (`completionStream`) and shows it as it streams. */
export function Playground() {
  const client = useClient();
  const [{ data: catalog, error: catalogError }] = useQuery<{
    models: { id: string; kind: string; configured: boolean }[];
  }>({
    query: chatModelsQuery,
  });
  const chatModels = useMemo(
    () =>
      (catalog?.models ?? [])
        .filter((model) => model.kind === 'CHAT' && model.configured)
        .map((model) => model.id),
    [catalog],
  );
  const [messages, setMessages] = useState<DraftMessage[]>([{ role: 'USER', text: '' }]);
  const [pool, setPool] = useState<string[]>([]);
  const [fallbacks, setFallbacks] = useState('');
  const [strategy, setStrategy] = useState('');
  const [temperature, setTemperature] = useState('');
  const [maxTokens, setMaxTokens] = useState('');
  const [conversationId, setConversationId] = useState<string | null>(null);
  const [continuing, setContinuing] = useState(false);
  const [run, setRun] = useState<RunState>(idle);
  const stop = useRef<(() => void) | null>(null);

  // A first pool once the catalog is known; after that the pool is the user's alone.
  const pooled = useRef(false);
  useEffect(() => {
    if (pooled.current || chatModels.length === 0) return;
    pooled.current = true;
    setPool([chatModels.includes('local/echo') ? 'local/echo' : chatModels[0]!]);
  }, [chatModels]);
  useEffect(() => () => stop.current?.(), []);

  const send = async (event: Event) => {
    event.preventDefault();
    stop.current?.();
    const input = {
      messages: messages
        .filter((message) => message.text.trim() !== '')
        .map((message) => ({ role: message.role, content: [{ type: 'TEXT', text: message.text }] })),
      models: pool,
      fallbackModels: splitList(fallbacks).length > 0 ? splitList(fallbacks) : undefined,
      strategy: strategy || undefined,
      temperature: optionalNumber(temperature),
      maxTokens: optionalNumber(maxTokens),
      conversationId: continuing && conversationId ? conversationId : undefined,
    };
    if (input.messages.length === 0)
      return setRun({ ...idle, status: 'failed', error: 'Write a message first.' });
    if (input.models.length === 0)
      return setRun({ ...idle, status: 'failed', error: 'Choose at least one model.' });
    setRun({ ...idle, status: 'streaming' });
    const query = streamSubscription(await routingSelection(client));
    const subscription = client
      .subscription<{ completionStream: Chunk }>(query, { input })
      .subscribe((result) => {
        if (result.error) {
          setRun((state) => ({ ...state, status: 'failed', error: result.error!.message }));
          return;
        }
        const chunk = result.data?.completionStream;
        if (!chunk) return;
        setRun((state) => applyChunk(state, chunk));
        if (chunk.__typename === 'CompletionDoneChunk') setConversationId(chunk.completion.conversationId);
      });
    stop.current = () => subscription.unsubscribe();
  };

  const cancel = () => {
    stop.current?.();
    stop.current = null;
    setRun((state) => ({
      ...state,
      status: 'failed',
      error: 'Stopped: the upstream request was cancelled.',
    }));
  };

  return (
    <section class="page" data-testid="playground">
      <div class="page-head">
        <h1>Playground</h1>
      </div>
      {catalogError ? <ErrorNotice error={catalogError} title="The models could not be loaded" /> : null}
      <div class="playground">
        <form class="panel playground-form" onSubmit={send}>
          <MessagesEditor messages={messages} onChange={setMessages} />
          <ModelPicker models={chatModels} chosen={pool} onChange={setPool} />
          <label>
            Fallback models, in order
            <input
              value={fallbacks}
              placeholder="provider/model, provider/model"
              onInput={(event) => setFallbacks(event.currentTarget.value)}
            />
          </label>
          <div class="form-row">
            <label>
              Strategy
              <select value={strategy} onChange={(event) => setStrategy(event.currentTarget.value)}>
                <option value="">Server default</option>
                {strategies.map((one) => (
                  <option key={one} value={one}>
                    {one.toLowerCase()}
                  </option>
                ))}
              </select>
            </label>
            <label>
              Temperature
              <input
                type="number"
                min={0}
                max={2}
                step={0.1}
                placeholder="default"
                value={temperature}
                onInput={(event) => setTemperature(event.currentTarget.value)}
              />
            </label>
            <label>
              Max tokens
              <input
                type="number"
                min={1}
                step={1}
                placeholder="default"
                value={maxTokens}
                onInput={(event) => setMaxTokens(event.currentTarget.value)}
              />
            </label>
          </div>
          <label class="check">
            <input
              type="checkbox"
              checked={continuing}
              disabled={!conversationId}
              onChange={(event) => setContinuing(event.currentTarget.checked)}
            />
            Continue the last answer's conversation
          </label>
          <div class="form-actions">
            <button type="submit" class="button button-primary" disabled={run.status === 'streaming'}>
              Send
            </button>
            {run.status === 'streaming' ? (
              <button type="button" class="button" onClick={cancel}>
                Stop
              </button>
            ) : null}
          </div>
        </form>
        <div class="panel playground-answer">
          <PlaygroundAnswer run={run} />
        </div>
      </div>
    </section>
  );
}
