import type { ReasoningEffort, ReasoningSetting } from '../../core/generation-options.js';

/**
 * Budgets are mapped onto OpenAI's efforts by the thinking each level typically spends:
 * under 2,048 tokens `low`, under 8,192 `medium`, more `high`. A budget never becomes
 * `minimal`, which few models take and which all but turns reasoning off.
 */
export function effortOfBudget(maxTokens: number): ReasoningEffort {
  if (maxTokens < 2048) return 'low';
  if (maxTokens < 8192) return 'medium';
  return 'high';
}

/** `reasoning_effort` for a setting; `minimal` becomes `low` for a model that refuses it. */
export function reasoningEffortOf(setting: ReasoningSetting, takesMinimal: boolean): ReasoningEffort {
  const effort = 'effort' in setting ? setting.effort : effortOfBudget(setting.maxTokens);
  return effort === 'minimal' && !takesMinimal ? 'low' : effort;
}
