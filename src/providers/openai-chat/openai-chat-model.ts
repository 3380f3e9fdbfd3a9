import type { IncomingHttpHeaders } from 'node:http';
import type { Dispatcher } from 'undici';
import type { ParameterSupport } from '../../core/generation-options.js';
import { UpstreamError } from '../../core/upstream-error.js';
import type { Usage } from '../../core/usage.js';
import { abortFailure } from '../abort-failure.js';
import { classifyHttpFailure, fromStreamErrorObject } from '../classify-upstream-error.js';
import { noNativeSearch } from '../no-native-search.js';
import type {
  ChoiceFinish,
  FinishReason,
  LanguageModel,
  ModelCall,
  ProviderStreamPart,
} from '../provider.js';
import { upstreamDispatcher } from '../upstream-http.js';
import { AnswerParts } from './openai-answer-parts.js';
import { openaiChatBody } from './openai-chat-body.js';
import { type OpenAIUsage, openaiChatChunkSchema } from './openai-chat-chunk.js';
import type { OpenAIModelProfile } from './openai-model-profile.js';
import { plainTextOfChunk } from './openai-text-chunk.js';
import { SseEventParser } from './sse-event-parser.js';

/**
 * Where one OpenAI-format provider is reached, through undici's `request` on the shared
 * upstream dispatcher (less CPU per call than node:http's client).
 */
export class OpenAIChatEndpoint {
  readonly url: URL;
  readonly #origin: string;
  readonly #path: string;
  readonly #headers: Record<string, string>;

  constructor(baseURL: string, apiKey: string | undefined) {
    this.url = new URL(`${baseURL.replace(/\/+$/, '')}/chat/completions`);
    this.#origin = this.url.origin;
    this.#path = `${this.url.pathname}${this.url.search}`;
    this.#headers = {
      'content-type': 'application/json',
      accept: 'text/event-stream',
      ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}),
    };
  }

  /** Sends the body; resolves with the response once its headers arrived. */
  post(body: string, signal: AbortSignal): Promise<Dispatcher.ResponseData> {
    return upstreamDispatcher.request({
      origin: this.#origin,
      path: this.#path,
      method: 'POST',
      headers: this.#headers,
      body,
      signal,
    });
  }
}

const maxErrorBodyBytes = 64 * 1024;

async function readErrorBody(body: Dispatcher.ResponseData['body']): Promise<string> {
  let text = '';
  body.setEncoding('utf8');
  for await (const chunk of body as AsyncIterable<string>) {
    if (text.length < maxErrorBodyBytes) text += chunk;
  }
  return text;
}

/** Closes a body we will not read (or not to its end): undici reports that as an error, heard here. */
function discard(body: Dispatcher.ResponseData['body']): void {
  body.on('error', () => {});
  body.destroy();
}

const flatHeaders = (headers: IncomingHttpHeaders): Record<string, string> => {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
};

/** Chat Completions' finish reasons as ours; `function_call` is the legacy name of `tool_calls`. */
function mapFinishReason(reason: string): FinishReason {
  switch (reason) {
    case 'stop':
    case 'length':
    case 'content_filter':
    case 'tool_calls':
      return reason;
    case 'function_call':
      return 'tool_calls';
    default:
      return 'other';
  }
}

/** The other choices' finish reasons, in order; null when one of them has none (a cut stream). */
function finishesOf(choices: ReadonlyMap<number, string | undefined>): ChoiceFinish[] | null {
  const finishes: ChoiceFinish[] = [];
  for (const [choice, reason] of choices) {
    if (reason === undefined) return null;
    finishes.push({ choice, finishReason: mapFinishReason(reason) });
  }
  return finishes.sort((a, b) => a.choice - b.choice);
}

/** Prompt tokens include cached ones and completion tokens reasoning ones, as OpenAI counts them. */
const toUsage = (usage: OpenAIUsage): Usage => ({
  promptTokens: usage.prompt_tokens ?? 0,
  completionTokens: usage.completion_tokens ?? 0,
  reasoningTokens: usage.completion_tokens_details?.reasoning_tokens ?? 0,
  cachedTokens: usage.prompt_tokens_details?.cached_tokens ?? 0,
  estimated: false,
});

const incomplete = (message: string) => new UpstreamError({ kind: 'incomplete', message });

/**
 * A model behind the OpenAI Chat Completions wire format (OpenAI and every compatible
 * API), spoken directly over undici: one request, an incremental SSE parser and one
 * small schema per chunk. The answer is complete only once a finish reason arrived.
 */
export class OpenAIChatModel implements LanguageModel {
  readonly model: string;
  readonly parameterSupport: ParameterSupport;

  constructor(
    readonly provider: string,
    private readonly profile: OpenAIModelProfile,
    private readonly endpoint: OpenAIChatEndpoint,
    /** The model that serves calls with native web search, when the provider has it. */
    private readonly searching: LanguageModel | undefined,
  ) {
    this.model = profile.model;
    this.parameterSupport = profile.parameterSupport;
  }

  async *stream(call: ModelCall): AsyncIterable<ProviderStreamPart> {
    if (call.search) {
      if (this.searching) return yield* this.searching.stream(call);
      yield noNativeSearch(this.provider);
      return;
    }
    let res: Dispatcher.ResponseData;
    try {
      res = await this.endpoint.post(openaiChatBody(this.profile, call), call.signal);
    } catch {
      yield {
        type: 'error',
        error:
          abortFailure(call.signal) ??
          new UpstreamError({ kind: 'network', message: 'the upstream connection failed' }),
      };
      return;
    }
    const { statusCode: status, headers, body } = res;
    if (status < 200 || status >= 300) {
      const text = await readErrorBody(body).catch(() => '');
      yield {
        type: 'error',
        error: abortFailure(call.signal) ?? classifyHttpFailure(status, text, flatHeaders(headers)),
      };
      return;
    }
    const contentType = headers['content-type'];
    if (!(typeof contentType === 'string' && contentType.includes('text/event-stream'))) {
      discard(body);
      yield {
        type: 'error',
        error: incomplete('the upstream answered with a body that is not an event stream'),
      };
      return;
    }

    const parser = new SseEventParser();
    const answer = new AnswerParts();
    const parts = answer.pending;
    let finishReason: string | undefined;
    let usage: Usage | undefined;
    let failure: UpstreamError | undefined;
    const onData = (data: string) => {
      if (failure || data === '[DONE]') return;
      let json: unknown;
      try {
        json = JSON.parse(data);
      } catch {
        failure = incomplete('the upstream sent a malformed stream chunk');
        return;
      }
      // The commonest chunk (a piece of text) is checked on the fields read, not by the whole schema.
      const text = plainTextOfChunk(json);
      if (text !== undefined) {
        answer.read({ content: text });
        return;
      }
      const chunk = openaiChatChunkSchema.safeParse(json);
      if (!chunk.success) {
        failure = incomplete('the upstream sent a malformed stream chunk');
        return;
      }
      if (chunk.data.error !== undefined && chunk.data.error !== null) {
        failure = fromStreamErrorObject(chunk.data.error);
        return;
      }
      const { choices, usage: reported } = chunk.data;
      if (reported) usage = toUsage(reported);
      if (!choices) return;
      for (const choice of choices) {
        // Choice 0 is the answer; the others (`n` > 1) ride along.
        if (!choice.index) {
          if (choice.delta) answer.read(choice.delta, choice.logprobs);
          if (choice.finish_reason) finishReason = choice.finish_reason;
        } else answer.readChoice(choice.index, choice.delta, choice.logprobs, choice.finish_reason);
      }
    };

    // The body errors if the connection is cut before the answer's end, and ends only after it.
    let ended = false;
    try {
      body.setEncoding('utf8');
      for await (const text of body as AsyncIterable<string>) {
        parser.feed(text, onData);
        // Parts are handed on as soon as a network chunk is parsed, never held back.
        for (const part of parts) yield part;
        parts.length = 0;
        if (failure) break;
      }
      ended = !failure;
      if (ended) {
        parser.end(onData);
        for (const part of parts) yield part;
      }
    } catch {
      failure = abortFailure(call.signal) ?? incomplete('the upstream connection was cut mid-stream');
    } finally {
      if (!ended) discard(body);
    }
    failure = abortFailure(call.signal) ?? failure;
    // An answer is text, tool calls, or both; reasoning alone is not one.
    const answered = answer.sawText || answer.toolCalls.count > 0;
    const otherChoices = answer.otherChoices.size > 0 ? finishesOf(answer.otherChoices) : undefined;
    if (failure) {
      yield { type: 'error', error: failure };
    } else if (finishReason === undefined || otherChoices === null) {
      yield { type: 'error', error: incomplete('the upstream stream ended without a finish reason') };
    } else if (!answered && (finishReason === 'content_filter' || answer.refusal.length > 0)) {
      // A refusal with nothing to show: fail so that the router can try another model.
      yield {
        type: 'error',
        error: new UpstreamError({
          kind: 'content_filtered',
          message:
            answer.refusal.length > 0
              ? `the model refused to answer: ${answer.refusal.slice(0, 500)}`
              : 'the upstream withheld the answer (content_filter)',
        }),
      };
    } else {
      const reason = mapFinishReason(finishReason);
      // Some compatible servers (older Ollama, Gemini's OpenAI endpoint) end an answer of tool calls with `stop`.
      const unified = reason === 'stop' && answer.toolCalls.count > 0 ? 'tool_calls' : reason;
      yield { type: 'finish', finishReason: unified, usage, otherChoices };
    }
  }
}
