/** One upstream embeddings call: the texts, in order, and the options every provider maps. */
export interface EmbeddingCall {
  inputs: readonly string[];
  /** Shorter vectors, for models that can truncate (OpenAI `dimensions`, Gemini `outputDimensionality`). */
  dimensions: number | undefined;
  /** The end user, for the provider's abuse monitoring; providers without the field drop it. */
  user: string | undefined;
  /** Aborted when the client goes away or a deadline passes. */
  signal: AbortSignal;
}

/** What an upstream answered: one vector per input, in input order. */
export interface EmbeddingOutput {
  vectors: number[][];
  /** Input tokens the upstream reported; undefined when it reports none (Gemini). */
  promptTokens: number | undefined;
}

/**
 * One embedding model of one provider. `embed` resolves with a complete answer or rejects
 * with an UpstreamError (status, kind, retryable, Retry-After), never with anything else.
 */
export interface EmbeddingModel {
  readonly provider: string;
  readonly model: string;
  embed(call: EmbeddingCall): Promise<EmbeddingOutput>;
}

/** A provider able to embed: configured or not, as its key says. */
export interface EmbeddingProvider {
  readonly name: string;
  readonly configured: boolean;
  embeddingModel(model: string): EmbeddingModel;
}

/** The providers that have an embeddings API, by name. */
export interface EmbeddingProviders {
  get(name: string): EmbeddingProvider | undefined;
}
