/** What a key may use, as the API answers it. */
export interface Limits {
  budgetUsd: string | null;
  budgetPeriod: 'TOTAL' | 'DAILY' | 'MONTHLY';
  requestsPerMinute: number | null;
  tokensPerMinute: number | null;
  maxConcurrentRequests: number | null;
  allowedModels: string[] | null;
}

/** The limits form's fields, as typed: an empty field is no limit. */
export interface LimitsDraft {
  budgetUsd: string;
  budgetPeriod: Limits['budgetPeriod'];
  requestsPerMinute: string;
  tokensPerMinute: string;
  maxConcurrentRequests: string;
  allowedModels: string;
}

export const emptyDraft: LimitsDraft = {
  budgetUsd: '',
  budgetPeriod: 'TOTAL',
  requestsPerMinute: '',
  tokensPerMinute: '',
  maxConcurrentRequests: '',
  allowedModels: '',
};

export const draftOf = (limits: Limits): LimitsDraft => ({
  budgetUsd: limits.budgetUsd ?? '',
  budgetPeriod: limits.budgetPeriod,
  requestsPerMinute: limits.requestsPerMinute?.toString() ?? '',
  tokensPerMinute: limits.tokensPerMinute?.toString() ?? '',
  maxConcurrentRequests: limits.maxConcurrentRequests?.toString() ?? '',
  allowedModels: limits.allowedModels?.join(', ') ?? '',
});

const intOrNull = (text: string) => (text.trim() === '' ? null : Number(text));

/**
 * The `ApiKeyLimitsInput` of a draft: every field is sent, an empty one as null (no limit), so
 * that what the form shows is what the key gets. The API validates the values.
 */
export const limitsInput = (draft: LimitsDraft) => ({
  budgetUsd: draft.budgetUsd.trim() === '' ? null : draft.budgetUsd.trim(),
  budgetPeriod: draft.budgetPeriod,
  requestsPerMinute: intOrNull(draft.requestsPerMinute),
  tokensPerMinute: intOrNull(draft.tokensPerMinute),
  maxConcurrentRequests: intOrNull(draft.maxConcurrentRequests),
  allowedModels:
    draft.allowedModels.trim() === '' ? null : draft.allowedModels.split(/[\s,]+/).filter(Boolean),
});

export const limitsFields = `budgetUsd budgetPeriod requestsPerMinute tokensPerMinute maxConcurrentRequests allowedModels`;
