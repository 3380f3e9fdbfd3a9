/** A numbered source the model was given, as `[index]` in its answer refers to it. */
export interface Citation {
  /** 1-based, as the model cites it. */
  index: number;
  url: string;
  title: string;
  snippet: string;
}

/** What a client is told about the search of a `search: true` request. */
export type SearchReport =
  | { status: 'ok'; query: string; results: number }
  /** The model's provider searched itself: its queries are its own, `results` the pages it cited. */
  | { status: 'ok'; method: 'native'; results: number }
  /** The completion went ahead without sources (search is not `required`). */
  | { status: 'unavailable'; query: string; reason: string };

/** Whether the answer's citations came from its provider's own search. */
export const searchedNatively = (report: SearchReport | undefined): boolean =>
  report !== undefined && 'method' in report && report.method === 'native';
