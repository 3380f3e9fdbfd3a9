import { formatUsd } from '../lib/format.js';

export interface Budget {
  limit: string;
  spent: string;
  reserved: string;
  remaining: string;
  period: string;
  windowStart: string | null;
}

const share = (part: string, whole: string) => {
  const total = Number(whole);
  return total > 0 ? Math.min(100, (Number(part) / total) * 100) : 0;
};

/** A key's budget in its current window: spent, held by requests in flight, and left. */
export function BudgetMeter({ budget }: { budget: Budget | null }) {
  if (!budget) return <span class="muted">No budget</span>;
  return (
    <div class="budget" data-testid="budget">
      <div class="budget-track" aria-hidden="true">
        <div class="budget-spent" style={{ width: `${share(budget.spent, budget.limit)}%` }} />
        <div class="budget-reserved" style={{ width: `${share(budget.reserved, budget.limit)}%` }} />
      </div>
      <div class="small">
        {formatUsd(budget.spent)} spent · {formatUsd(budget.reserved)} reserved ·{' '}
        <strong>{formatUsd(budget.remaining)}</strong> left of {formatUsd(budget.limit)} (
        {budget.period.toLowerCase()})
      </div>
    </div>
  );
}
