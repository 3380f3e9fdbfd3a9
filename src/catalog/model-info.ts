/** Prices in pico-dollars (1e-12 $) per token: integers, so costs add up exactly. */
export interface ModelPrices {
  input: number;
  output: number;
  cachedInput: number;
}

export const capabilities = [
  'vision',
  'search',
  'tools',
  'structured_output',
  'reasoning',
  'logprobs',
  'multiple_choices',
] as const;
/** What a model can do beyond plain chat; a request that needs one only goes to models that have it. */
export type Capability = (typeof capabilities)[number];

/** What the gateway knows of a model: limits, prices and abilities. */
export interface ModelInfo {
  id: string;
  provider: string;
  model: string;
  contextWindow: number | undefined;
  maxOutputTokens: number | undefined;
  /** `undefined` when the model has no known price: it is served at zero cost, flagged unpriced. */
  prices: ModelPrices | undefined;
  capabilities: ReadonlySet<Capability>;
}

/** Dollars per million tokens → pico-dollars per token (exact to six decimals of a dollar). */
export const picoPerTokenFromPerMTok = (dollarsPerMTok: number): number => Math.round(dollarsPerMTok * 1e6);
