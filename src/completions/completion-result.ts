import type { Cost } from '../catalog/cost.js';
import type { DroppedParameter } from '../core/generation-options.js';
import type { TokenLogprob } from '../core/logprobs.js';
import type { ContentPart } from '../core/messages.js';
import type { Usage } from '../core/usage.js';
import type { FinishReason } from '../providers/provider.js';
import type { Attempt } from '../routing/attempt.js';
import type { RoutingExplanation } from '../routing/route-explanation.js';
import type { Citation, SearchReport } from '../search/citation.js';

/** Which model is answering, shared by every text event of one answer. */
export interface AnswerSource {
  provider: string;
  model: string;
  responseMessageId: string;
  conversationId: string;
  /** Sampling hints this model's provider did not receive, or received clamped (headers leave with the first event). */
  droppedParameters: DroppedParameter[];
}

/** A finished completion, before any surface shapes it. */
export interface CompletionResult extends AnswerSource {
  id: string;
  conversationTitle: string;
  /** The answer's text parts, joined. */
  text: string;
  /** The whole answer in order: reasoning, text and tool calls. */
  content: ContentPart[];
  finishReason: FinishReason;
  usage: Usage;
  /** Token costs; `total` also includes `searchCost`. */
  cost: Cost;
  /** Pico-dollars paid for web search (zero without it); part of `cost.total`. */
  searchCost: number;
  /**
   * The numbered sources the model was given (`search: true`), or the pages its provider's
   * own search reported; empty otherwise.
   */
  citations: Citation[];
  /** How the search went; undefined when the request did not ask for search. */
  search: SearchReport | undefined;
  /** The model has no price in the catalog: costs are zero. */
  unpriced: boolean;
  latencyMs: number;
  ttftMs: number;
  attempts: Attempt[];
  /** Why this model (SPEC §10): the route plan's figures and exclusions, as planned. */
  routing: RoutingExplanation;
  /** The log probabilities of the answer's text tokens; present only when the request asked for them. */
  logprobs?: TokenLogprob[] | undefined;
  /** The other choices (`n` > 1), from choice 1: shown to the caller, never stored. */
  otherChoices?: AnswerChoice[] | undefined;
}

/** One of the other choices of an answer, numbered from 1. */
export interface AnswerChoice {
  choice: number;
  text: string;
  /** Present when the request asked for log probabilities. */
  logprobs: TokenLogprob[] | undefined;
  finishReason: FinishReason;
}
