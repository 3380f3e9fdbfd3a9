// Shows whatever the routing explanation holds: its plain figures as a list, and each list of
// records (ranked candidates, excluded ones) as a table, in the order the API gives.

type Value = string | number | boolean | null | Value[] | { [key: string]: Value };
type Row = Record<string, Value>;

/** `Completion.routing`, as selected from the schema. */
export type RoutingData = Row;

const isRecord = (value: Value): value is Row =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const label = (name: string) => name.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();

const cell = (value: Value): string => {
  if (value === null) return '—';
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : value.toPrecision(4);
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
};

function RecordsTable({ title, rows }: { title: string; rows: Row[] }) {
  const columns = [...new Set(rows.flatMap((row) => Object.keys(row)))].filter(
    (name) => name !== '__typename',
  );
  return (
    <div class="routing-table">
      <h4>{label(title)}</h4>
      {rows.length === 0 ? (
        <p class="muted small">none</p>
      ) : (
        <div class="table-wrap">
          <table class="table table-compact">
            <thead>
              <tr>
                {columns.map((column) => (
                  <th key={column}>{label(column)}</th>
                ))}
              </tr>
            </thead>
            <tbody>
              {rows.map((row, index) => (
                <tr key={index}>
                  {columns.map((column) => (
                    <td key={column}>{cell(row[column] ?? null)}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}

/** The router's explanation of one completion: strategy, ranked candidates, exclusions. */
export function RoutingView({ routing }: { routing: Row }) {
  const entries = Object.entries(routing).filter(([name]) => name !== '__typename');
  const plain = entries.filter(([, value]) => !Array.isArray(value) && !isRecord(value));
  const tables = entries.filter(([, value]) => Array.isArray(value) && value.every(isRecord)) as [
    string,
    Row[],
  ][];
  const nested = entries.filter(([, value]) => isRecord(value)) as [string, Row][];
  return (
    <section class="routing" data-testid="routing">
      <h3>Routing</h3>
      {plain.length > 0 ? (
        <dl class="facts">
          {plain.map(([name, value]) => (
            <div key={name}>
              <dt>{label(name)}</dt>
              <dd>{cell(value)}</dd>
            </div>
          ))}
        </dl>
      ) : null}
      {nested.map(([name, value]) => (
        <RecordsTable key={name} title={name} rows={[value]} />
      ))}
      {tables.map(([name, rows]) => (
        <RecordsTable key={name} title={name} rows={rows} />
      ))}
    </section>
  );
}
