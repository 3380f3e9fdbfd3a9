import { isOpenAIReasoningModel } from '../../catalog/tool-models.js';
import type { ParameterSupport } from '../../core/generation-options.js';
import type { OpenAIDialect } from './openai-dialect.js';
import { openaiParameterSupport } from './openai-parameter-support.js';

/** What the request body of one model depends on, worked out once per model, not per call. */
export interface OpenAIModelProfile {
  readonly model: string;
  readonly dialect: OpenAIDialect;
  /**
   * An OpenAI reasoning model: `max_completion_tokens` (it refuses `max_tokens`), the
   * `developer` role for instructions, and no temperature, top_p, penalties or stop.
   */
  readonly reasoningModel: boolean;
  /** Takes `reasoning_effort: minimal` (OpenAI: the gpt-5 models before 5.1; other servers: as asked). */
  readonly takesMinimalEffort: boolean;
  readonly parameterSupport: ParameterSupport;
}

const takesMinimal = /^gpt-5(-mini|-nano)?(-\d{4}-\d{2}-\d{2})?$/;

export function openaiModelProfile(dialect: OpenAIDialect, model: string): OpenAIModelProfile {
  const reasoningModel = dialect.name === 'openai' && isOpenAIReasoningModel(model);
  return {
    model,
    dialect,
    reasoningModel,
    takesMinimalEffort: dialect.name !== 'openai' || takesMinimal.test(model),
    parameterSupport: openaiParameterSupport(dialect, reasoningModel),
  };
}
