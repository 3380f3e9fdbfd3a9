import { useQuery } from '@urql/preact';
import { useEffect, useMemo, useState } from 'preact/hooks';
import { CircuitBadge } from '../components/circuit-badge.js';
import { EmptyState } from '../components/empty-state.js';
import { ErrorNotice } from '../components/error-notice.js';
import { Loading } from '../components/loading.js';
import { formatCount, formatMs, formatPercent, formatUsd } from '../lib/format.js';

export interface CatalogModel {
  id: string;
  kind: 'CHAT' | 'EMBEDDING';
  configured: boolean;
  contextWindow: number | null;
  maxOutputTokens: number | null;
  capabilities: string[];
  prices: { inputPerMTok: string; outputPerMTok: string; cachedInputPerMTok: string } | null;
  health: {
    circuit: 'CLOSED' | 'HALF_OPEN' | 'OPEN';
    attempts: number;
    errorRate: number;
    ttftP95: number | null;
    latencyP95: number | null;
  };
}

export const modelsQuery = `
  query Models {
    models {
      id kind configured contextWindow maxOutputTokens capabilities
      prices { inputPerMTok outputPerMTok cachedInputPerMTok }
      health { circuit attempts errorRate ttftP95 latencyP95 }
    }
  }
`;
const refreshMs = 5000;

/** The catalog with prices and capabilities, and the router's live health of each model. */
export function Models() {
  const [{ data, fetching, error }, refetch] = useQuery<{ models: CatalogModel[] }>({ query: modelsQuery });
  const [search, setSearch] = useState('');
  const [configuredOnly, setConfiguredOnly] = useState(true);

  // Health moves with traffic: read it again every few seconds.
  useEffect(() => {
    const timer = setInterval(() => refetch({ requestPolicy: 'network-only' }), refreshMs);
    return () => clearInterval(timer);
  }, [refetch]);

  const shown = useMemo(() => {
    const needle = search.trim().toLowerCase();
    return (data?.models ?? []).filter(
      (model) =>
        (!configuredOnly || model.configured) && (!needle || model.id.toLowerCase().includes(needle)),
    );
  }, [data, search, configuredOnly]);

  return (
    <section class="page" data-testid="models">
      <div class="page-head">
        <h1>Models</h1>
        <div class="toolbar">
          <input
            type="search"
            class="search"
            aria-label="Search models"
            placeholder="Search models"
            value={search}
            onInput={(event) => setSearch(event.currentTarget.value)}
          />
          <label class="check">
            <input
              type="checkbox"
              checked={configuredOnly}
              onChange={(event) => setConfiguredOnly(event.currentTarget.checked)}
            />
            Configured only
          </label>
        </div>
      </div>
      <p class="muted">
        Prices in US dollars per million tokens. Health figures are live, from recent traffic.
      </p>
      {error ? <ErrorNotice error={error} title="The catalog could not be loaded" /> : null}
      {!data && fetching ? <Loading what="Loading the catalog" /> : null}
      {data && shown.length === 0 ? (
        <EmptyState>
          No model matches
          {configuredOnly ? ' among the configured ones: set a provider key, or show every model' : ''}.
        </EmptyState>
      ) : null}
      {shown.length > 0 ? (
        <div class="table-wrap">
          <table class="table" data-testid="models-table">
            <thead>
              <tr>
                <th>Model</th>
                <th>Configured</th>
                <th class="num">Context</th>
                <th class="num">Input</th>
                <th class="num">Output</th>
                <th>Capabilities</th>
                <th>Circuit</th>
                <th class="num">TTFT p95</th>
                <th class="num">Errors</th>
              </tr>
            </thead>
            <tbody>
              {shown.map((model) => (
                <tr key={model.id}>
                  <td>
                    <code>{model.id}</code>
                    {model.kind === 'EMBEDDING' ? <span class="badge">embedding</span> : null}
                  </td>
                  <td>{model.configured ? 'yes' : <span class="muted">no key</span>}</td>
                  <td class="num">{model.contextWindow ? formatCount(model.contextWindow) : '—'}</td>
                  <td class="num">
                    {model.prices ? (
                      formatUsd(model.prices.inputPerMTok)
                    ) : (
                      <span class="muted">unpriced</span>
                    )}
                  </td>
                  <td class="num">{model.prices ? formatUsd(model.prices.outputPerMTok) : '—'}</td>
                  <td>
                    {model.capabilities.length === 0 ? <span class="muted">text</span> : null}
                    {model.capabilities.map((capability) => (
                      <span key={capability} class="tag">
                        {capability.toLowerCase().replace('_', ' ')}
                      </span>
                    ))}
                  </td>
                  <td>
                    <CircuitBadge state={model.health.circuit} />
                  </td>
                  <td class="num">{formatMs(model.health.ttftP95)}</td>
                  <td class="num" title={`${formatCount(model.health.attempts)} recent attempts`}>
                    {model.health.attempts === 0 ? '—' : formatPercent(model.health.errorRate)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}
