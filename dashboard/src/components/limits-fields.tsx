import type { LimitsDraft } from '../lib/limits.js';

/** The fields of a key's limits; empty means no limit. */
export function LimitsFields({
  draft,
  onChange,
}: {
  draft: LimitsDraft;
  onChange: (draft: LimitsDraft) => void;
}) {
  const field = (name: keyof LimitsDraft) => ({
    value: draft[name],
    onInput: (event: { currentTarget: HTMLInputElement }) =>
      onChange({ ...draft, [name]: event.currentTarget.value }),
  });
  return (
    <div class="limits-fields">
      <label>
        Budget (US dollars)
        <input inputMode="decimal" placeholder="no budget" {...field('budgetUsd')} />
      </label>
      <label>
        Budget period
        <select
          value={draft.budgetPeriod}
          onChange={(event) =>
            onChange({ ...draft, budgetPeriod: event.currentTarget.value as LimitsDraft['budgetPeriod'] })
          }
        >
          <option value="TOTAL">total (lifetime)</option>
          <option value="DAILY">daily</option>
          <option value="MONTHLY">monthly</option>
        </select>
      </label>
      <label>
        Requests per minute
        <input type="number" min={1} placeholder="unlimited" {...field('requestsPerMinute')} />
      </label>
      <label>
        Tokens per minute
        <input type="number" min={1} placeholder="unlimited" {...field('tokensPerMinute')} />
      </label>
      <label>
        Concurrent requests
        <input type="number" min={1} placeholder="unlimited" {...field('maxConcurrentRequests')} />
      </label>
      <label class="wide">
        Allowed models
        <input
          placeholder="every model (or: openai, anthropic/claude-sonnet-4-5)"
          {...field('allowedModels')}
        />
      </label>
    </div>
  );
}
