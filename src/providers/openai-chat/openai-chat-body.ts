import type {
  ResponseFormat,
  SamplingParameter,
  ToolChoice,
  ToolDefinition,
} from '../../core/generation-options.js';
import type { ChatMessage } from '../../core/messages.js';
import type { ModelCall } from '../provider.js';
import type { OpenAIModelProfile } from './openai-model-profile.js';
import { reasoningEffortOf } from './openai-reasoning-effort.js';

type OpenAIUserPart = { type: 'text'; text: string } | { type: 'image_url'; image_url: { url: string } };

interface OpenAIToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

type OpenAIMessage =
  | { role: 'system' | 'developer'; content: string }
  | { role: 'user'; content: string | OpenAIUserPart[] }
  | { role: 'assistant'; content: string | null; tool_calls?: OpenAIToolCall[] }
  | { role: 'tool'; tool_call_id: string; content: string };

const textOnly = (message: ChatMessage): string => {
  let text = '';
  for (const part of message.content) if (part.type === 'text') text += part.text;
  return text;
};

/**
 * One turn in the Chat Completions shape. A lone user text is sent as a plain string;
 * reasoning parts are left out: Chat Completions has no input for them, and servers that
 * stream `reasoning_content` (DeepSeek) refuse it back.
 */
function toOpenAIMessage(message: ChatMessage, profile: OpenAIModelProfile): OpenAIMessage {
  const toolCallId = profile.dialect.toolCallId;
  switch (message.role) {
    case 'system':
      // OpenAI's reasoning models take instructions as `developer` messages.
      return { role: profile.reasoningModel ? 'developer' : 'system', content: textOnly(message) };
    case 'tool': {
      const id = message.toolCallId ?? '';
      return { role: 'tool', tool_call_id: toolCallId ? toolCallId(id) : id, content: textOnly(message) };
    }
    case 'assistant': {
      let text = '';
      let calls: OpenAIToolCall[] | undefined;
      for (const part of message.content) {
        if (part.type === 'text') text += part.text;
        else if (part.type === 'tool_call') {
          calls ??= [];
          calls.push({
            id: toolCallId ? toolCallId(part.id) : part.id,
            type: 'function',
            function: { name: part.name, arguments: part.arguments },
          });
        }
      }
      if (calls === undefined) return { role: 'assistant', content: text };
      return { role: 'assistant', content: text.length > 0 ? text : null, tool_calls: calls };
    }
    default: {
      const [only] = message.content;
      if (message.content.length === 1 && only?.type === 'text') return { role: 'user', content: only.text };
      const content: OpenAIUserPart[] = [];
      for (const part of message.content) {
        if (part.type === 'text') content.push({ type: 'text', text: part.text });
        else if (part.type === 'image_url')
          content.push({ type: 'image_url', image_url: { url: part.image_url.url } });
      }
      return { role: 'user', content };
    }
  }
}

const toOpenAITool = (tool: ToolDefinition) => ({
  type: 'function',
  function: {
    name: tool.name,
    description: tool.description,
    parameters: tool.parameters,
    strict: tool.strict,
  },
});

const toOpenAIToolChoice = (choice: ToolChoice | undefined) =>
  typeof choice === 'object' ? { type: 'function', function: { name: choice.name } } : choice;

function toOpenAIResponseFormat(format: ResponseFormat | undefined) {
  switch (format?.type) {
    case 'json_object':
      return { type: 'json_object' };
    case 'json_schema':
      return {
        type: 'json_schema',
        json_schema: {
          name: format.name,
          description: format.description,
          schema: format.schema,
          strict: format.strict,
        },
      };
    default:
      // `text` is the default: not sent, as some compatible servers do not know the field.
      return undefined;
  }
}

const streamOptions = { include_usage: true };

/**
 * The JSON body of a streamed `POST /chat/completions`, asking for the usage chunk. Fields
 * left `undefined` are dropped by `JSON.stringify`, which keeps this cheap on the hot path.
 * The router already fitted the sampling hints to the model's table; they are checked
 * against it again (a set lookup per hint set) so that no refused field is ever sent.
 */
export function openaiChatBody(profile: OpenAIModelProfile, call: ModelCall): string {
  const { accepts } = profile.parameterSupport;
  const taken = <T>(parameter: SamplingParameter, value: T | undefined): T | undefined =>
    value === undefined || !accepts.has(parameter) ? undefined : value;
  const messages = new Array<OpenAIMessage>(call.messages.length);
  for (let i = 0; i < call.messages.length; i++) messages[i] = toOpenAIMessage(call.messages[i]!, profile);
  const tools = call.tools !== undefined && call.tools.length > 0 ? call.tools.map(toOpenAITool) : undefined;
  const stop = taken('stop', call.stop);
  return JSON.stringify({
    model: profile.model,
    messages,
    temperature: taken('temperature', call.temperature),
    top_p: taken('topP', call.topP),
    top_k: taken('topK', call.topK),
    frequency_penalty: taken('frequencyPenalty', call.frequencyPenalty),
    presence_penalty: taken('presencePenalty', call.presencePenalty),
    stop: stop !== undefined && stop.length > 0 ? stop : undefined,
    [profile.dialect.seedField]: taken('seed', call.seed),
    // OpenAI's reasoning models refuse `max_tokens`; the others (and most compatible servers) want it.
    [profile.reasoningModel ? 'max_completion_tokens' : 'max_tokens']: call.maxTokens,
    reasoning_effort:
      call.reasoning === undefined
        ? undefined
        : reasoningEffortOf(call.reasoning, profile.takesMinimalEffort),
    // OpenAI refuses tool_choice and parallel_tool_calls without tools.
    tools,
    tool_choice: tools === undefined ? undefined : toOpenAIToolChoice(call.toolChoice),
    parallel_tool_calls: tools === undefined ? undefined : call.parallelToolCalls,
    response_format: toOpenAIResponseFormat(call.responseFormat),
    // Capabilities the model was chosen for; `top_logprobs: 0` is OpenAI's default, not sent.
    logprobs: call.logprobs === undefined ? undefined : true,
    top_logprobs: call.logprobs !== undefined && call.logprobs.top > 0 ? call.logprobs.top : undefined,
    n: call.choices !== undefined && call.choices > 1 ? call.choices : undefined,
    stream: true,
    stream_options: profile.dialect.streamOptions ? streamOptions : undefined,
  });
}
