import { UpstreamError } from '../core/upstream-error.js';
import type { ProviderStreamPart } from './provider.js';

/**
 * What a model yields for a search call its provider cannot serve. Eligibility only gives
 * search calls to providers that have native search: answering without searching would pass
 * off an ungrounded answer as a searched one.
 */
export const noNativeSearch = (provider: string): ProviderStreamPart => ({
  type: 'error',
  error: new UpstreamError({ kind: 'bad_request', message: `${provider} offers no web search of its own` }),
});
