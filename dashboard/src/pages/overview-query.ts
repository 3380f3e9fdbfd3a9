/** The figures of one group of completions, as the overview reads them. */
export interface Figures {
  requests: number;
  errors: number;
  errorRate: number;
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  totalTokensCost: string;
  latencyP50: number | null;
  latencyP95: number | null;
  ttftP50: number | null;
  ttftP95: number | null;
}

export interface OverviewData {
  totals: { totals: Figures };
  series: { buckets: { hour: string | null; day: string | null; usage: Figures }[] };
  byModel: { buckets: { provider: string | null; model: string | null; usage: Figures }[] };
  byProvider: { buckets: { provider: string | null; usage: Figures }[] };
  byKey: { buckets: { keyId: string | null; keyName: string | null; usage: Figures }[] };
}

const figures = `requests errors errorRate promptTokens completionTokens totalTokens totalTokensCost
  latencyP50 latencyP95 ttftP50 ttftP95`;

// One round trip: the totals are the API's own `usage.totals`, never a sum made here.
export const overviewQuery = `
  query Overview($from: DateTime, $series: [UsageGroupBy!]!) {
    totals: usage(from: $from) { totals { ${figures} } }
    series: usage(from: $from, groupBy: $series) { buckets { hour day usage { ${figures} } } }
    byModel: usage(from: $from, groupBy: [PROVIDER, MODEL]) { buckets { provider model usage { ${figures} } } }
    byProvider: usage(from: $from, groupBy: [PROVIDER]) { buckets { provider usage { ${figures} } } }
    byKey: usage(from: $from, groupBy: [KEY]) { buckets { keyId keyName usage { ${figures} } } }
  }
`;
