const labels = { CLOSED: 'healthy', HALF_OPEN: 'probing', OPEN: 'open: skipped' } as const;

/** The router's circuit state for a model. */
export function CircuitBadge({ state }: { state: keyof typeof labels }) {
  return <span class={`pill pill-circuit-${state.toLowerCase()}`}>{labels[state]}</span>;
}
