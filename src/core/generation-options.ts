/** A tool the model may call; `parameters` is a JSON Schema object. */
export interface ToolDefinition {
  name: string;
  description?: string | undefined;
  parameters: Record<string, unknown>;
  strict?: boolean | undefined;
}

/** `auto` lets the model decide, `none` forbids calls, `required` asks for at least one, `{name}` for that one. */
export type ToolChoice = 'auto' | 'none' | 'required' | { name: string };

/** The shape of the answer's text. */
export type ResponseFormat =
  | { type: 'text' }
  | { type: 'json_object' }
  | {
      type: 'json_schema';
      name: string;
      description?: string | undefined;
      schema: Record<string, unknown>;
      strict?: boolean | undefined;
    };

export const reasoningEfforts = ['minimal', 'low', 'medium', 'high'] as const;
export type ReasoningEffort = (typeof reasoningEfforts)[number];

/** How much a reasoning model may think: a portable effort, or a budget of tokens. */
export type ReasoningSetting = { effort: ReasoningEffort } | { maxTokens: number };

/** Sampling hints a provider may not take: dropped (and reported) for those that cannot. */
export const samplingParameters = [
  'temperature',
  'topP',
  'topK',
  'stop',
  'seed',
  'frequencyPenalty',
  'presencePenalty',
] as const;
export type SamplingParameter = (typeof samplingParameters)[number];

/** What a completion asks of the model, beyond the messages: the same on every surface. */
export interface GenerationOptions {
  temperature?: number | undefined;
  maxTokens?: number | undefined;
  topP?: number | undefined;
  topK?: number | undefined;
  stop?: string[] | undefined;
  seed?: number | undefined;
  frequencyPenalty?: number | undefined;
  presencePenalty?: number | undefined;
  reasoning?: ReasoningSetting | undefined;
  tools?: ToolDefinition[] | undefined;
  toolChoice?: ToolChoice | undefined;
  parallelToolCalls?: boolean | undefined;
  responseFormat?: ResponseFormat | undefined;
  /**
   * Return each answer token's log probability, with the `top` (0–20) likeliest alternatives
   * at each position: a capability (`logprobs`), like tools.
   */
  logprobs?: { top: number } | undefined;
  /**
   * How many answers to sample (OpenAI's `n`, 2–8; absent is one): a capability
   * (`multiple_choices`). The first is the answer; the others ride along to the caller only.
   */
  choices?: number | undefined;
}

/** A parameter a candidate's provider did not receive, or received changed, and why. */
export interface DroppedParameter {
  parameter: SamplingParameter;
  reason: string;
}

/** What a provider takes for one model; the adapter owns the table, the router applies it. */
export interface ParameterSupport {
  /** Sampling parameters passed on; the others are dropped. */
  accepts: ReadonlySet<SamplingParameter>;
  /** The highest temperature the provider takes; a higher one is clamped to it. */
  maxTemperature: number;
  /** The most stop sequences it takes; extra ones are dropped. */
  maxStopSequences: number;
}

const notTaken = (provider: string, parameter: SamplingParameter) => `${provider} does not take ${parameter}`;

/**
 * The options as this candidate's provider can take them, and what was dropped or
 * clamped. Cheap when no sampling hint is set (the common case): nothing is copied.
 */
export function fitParameters(
  options: GenerationOptions,
  support: ParameterSupport,
  provider: string,
): { options: GenerationOptions; dropped: DroppedParameter[] } {
  const dropped: DroppedParameter[] = [];
  let fitted: GenerationOptions | undefined;
  const edit = (): GenerationOptions => {
    fitted ??= { ...options };
    return fitted;
  };
  for (const parameter of samplingParameters) {
    const value = options[parameter];
    if (value === undefined) continue;
    if (!support.accepts.has(parameter)) {
      edit()[parameter] = undefined;
      dropped.push({ parameter, reason: notTaken(provider, parameter) });
    }
  }
  const temperature = (fitted ?? options).temperature;
  if (temperature !== undefined && temperature > support.maxTemperature) {
    edit().temperature = support.maxTemperature;
    dropped.push({
      parameter: 'temperature',
      reason: `clamped from ${temperature} to ${support.maxTemperature}, the highest ${provider} takes`,
    });
  }
  const stop = (fitted ?? options).stop;
  if (stop !== undefined && stop.length > support.maxStopSequences) {
    edit().stop = stop.slice(0, support.maxStopSequences);
    dropped.push({
      parameter: 'stop',
      reason: `${provider} takes at most ${support.maxStopSequences} stop sequences: ${JSON.stringify(stop.slice(support.maxStopSequences))} dropped`,
    });
  }
  return { options: fitted ?? options, dropped };
}
