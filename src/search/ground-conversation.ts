import type { Logger } from 'pino';
import type { ChatMessage } from '../core/messages.js';
import { buildSearchQuery } from './build-search-query.js';
import { buildSourcesMessage, insertSourcesMessage } from './build-sources-message.js';
import type { Citation, SearchReport } from './citation.js';
import type { SearchBackend } from './search-backend.js';
import { SearchError } from './search-error.js';
import { searchFailureToGatewayError } from './search-failure.js';
import { toCitations } from './to-citations.js';

/** A conversation ready for the model, with what its search found and cost. */
export interface Grounding {
  /** What every candidate receives: the conversation plus, when search found something, the sources. */
  messages: ChatMessage[];
  citations: Citation[];
  report: SearchReport;
  /** Pico-dollars; zero when the search failed (nothing to pay for). */
  cost: number;
}

export interface GrounderOptions {
  backend: SearchBackend;
  /** How many results become sources. */
  count: number;
  /** Pico-dollars per search. */
  pricePerSearch: number;
  /** Whether a failed search fails the completion. */
  required: boolean;
  logger?: Logger | undefined;
}

/** Searches the web for a conversation and hands the model what it found. */
export class Grounder {
  constructor(private readonly options: GrounderOptions) {}

  /**
   * Never throws for a failed search unless search is required; then it throws the
   * GatewayError the client gets. A cancelled request is not a search failure: it goes on
   * without sources and the router reports the cancellation.
   */
  async ground(messages: ChatMessage[], signal: AbortSignal): Promise<Grounding> {
    const { backend, count, pricePerSearch, required, logger } = this.options;
    const query = buildSearchQuery(messages);
    try {
      if (!query) {
        throw new SearchError({
          kind: 'empty_query',
          message: 'the conversation has no user text to search for',
        });
      }
      const citations = toCitations(await backend.search(query, { signal, count }), count);
      return {
        messages:
          citations.length > 0
            ? insertSourcesMessage(messages, buildSourcesMessage(query, citations))
            : messages,
        citations,
        report: { status: 'ok', query, results: citations.length },
        cost: pricePerSearch,
      };
    } catch (caught) {
      const error =
        caught instanceof SearchError
          ? caught
          : new SearchError({ kind: 'invalid_response', message: `the ${backend.name} search failed` });
      if (error.kind !== 'aborted') {
        logger?.warn({ backend: backend.name, kind: error.kind, status: error.status }, error.message);
        if (required) throw searchFailureToGatewayError(error);
      }
      return {
        messages,
        citations: [],
        report: { status: 'unavailable', query, reason: error.message },
        cost: 0,
      };
    }
  }
}
