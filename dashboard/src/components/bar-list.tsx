export interface BarRow {
  key: string;
  label: string;
  value: number;
  /** The value as shown. */
  display: string;
  detail: string;
}

/** A horizontal bar chart of one breakdown (by model, provider or key), largest first. */
export function BarList({ title, rows }: { title: string; rows: BarRow[] }) {
  const sorted = [...rows].sort((a, b) => b.value - a.value);
  const max = Math.max(...sorted.map((row) => row.value), 0);
  return (
    <section class="panel bar-list" aria-label={title}>
      <h3>{title}</h3>
      {sorted.length === 0 ? (
        <p class="muted">Nothing in this period.</p>
      ) : (
        <ul>
          {sorted.map((row) => (
            <li key={row.key}>
              <div class="bar-label">
                <span class="bar-name" title={row.label}>
                  {row.label}
                </span>
                <span class="bar-value">{row.display}</span>
              </div>
              <div class="bar-track">
                <div class="bar-fill" style={{ width: `${max > 0 ? (row.value / max) * 100 : 0}%` }} />
              </div>
              <div class="bar-detail muted">{row.detail}</div>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
