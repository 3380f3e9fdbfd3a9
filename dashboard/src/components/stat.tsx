/** One headline figure; `value` is the raw figure (for tests and tooltips), `display` its text. */
export function Stat({
  label,
  display,
  value,
  detail,
}: {
  label: string;
  display: string;
  value: string;
  detail?: string;
}) {
  const id = label.toLowerCase().replace(/[^a-z0-9]+/g, '-');
  return (
    <div class="stat">
      <dt>{label}</dt>
      <dd data-testid={`stat-${id}`} data-value={value} title={value}>
        {display}
      </dd>
      {detail ? <dd class="stat-detail">{detail}</dd> : null}
    </div>
  );
}
