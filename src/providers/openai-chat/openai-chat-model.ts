import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { UpstreamError } from '../../core/upstream-error.js';
import type { Usage } from '../../core/usage.js';
import { abortFailure } from '../abort-failure.js';
import { classifyHttpFailure, fromStreamErrorObject } from '../classify-upstream-error.js';
import { noNativeSearch } from '../no-native-search.js';
import type { FinishReason, LanguageModel, ModelCall, ProviderStreamPart } from '../provider.js';
import { openaiChatBody } from './openai-chat-body.js';
import { type OpenAIUsage, openaiChatChunkSchema } from './openai-chat-chunk.js';
import { SseEventParser } from './sse-event-parser.js';

/** Where one OpenAI-format provider is reached, with pooled keep-alive connections. */
export class OpenAIChatEndpoint {
  readonly url: URL;
  readonly #headers: Record<string, string>;
  readonly #agent: HttpAgent;
  readonly #request: typeof httpRequest;

  constructor(baseURL: string, apiKey: string | undefined) {
    this.url = new URL(`${baseURL.replace(/\/+$/, '')}/chat/completions`);
    this.#headers = {
      'content-type': 'application/json',
      accept: 'text/event-stream',
      ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}),
    };
    const secure = this.url.protocol === 'https:';
    this.#agent = secure ? new HttpsAgent({ keepAlive: true }) : new HttpAgent({ keepAlive: true });
    this.#request = secure ? httpsRequest : httpRequest;
  }

  /** Sends the body; resolves with the response once its headers arrived. */
  post(body: string, signal: AbortSignal): Promise<IncomingMessage> {
    return new Promise((resolve, reject) => {
      const req = this.#request(this.url, {
        method: 'POST',
        agent: this.#agent,
        headers: { ...this.#headers, 'content-length': String(Buffer.byteLength(body)) },
        signal,
      });
      req.once('response', resolve);
      req.once('error', reject);
      req.end(body);
    });
  }
}

const maxErrorBodyBytes = 64 * 1024;

async function readErrorBody(res: IncomingMessage): Promise<string> {
  let body = '';
  res.setEncoding('utf8');
  for await (const chunk of res as AsyncIterable<string>) {
    if (body.length < maxErrorBodyBytes) body += chunk;
  }
  return body;
}

const flatHeaders = (res: IncomingMessage): Record<string, string> => {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(res.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
};

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
 * API), spoken directly over node:http: one request, an incremental SSE parser and one
 * small schema per chunk. The answer is complete only once a finish reason arrived.
 */
export class OpenAIChatModel implements LanguageModel {
  constructor(
    readonly provider: string,
    readonly model: string,
    private readonly endpoint: OpenAIChatEndpoint,
    /** The model that serves calls with native web search, when the provider has it. */
    private readonly searching: LanguageModel | undefined,
  ) {}

  async *stream(call: ModelCall): AsyncIterable<ProviderStreamPart> {
    if (call.search) {
      if (this.searching) return yield* this.searching.stream(call);
      yield noNativeSearch(this.provider);
      return;
    }
    let res: IncomingMessage;
    try {
      res = await this.endpoint.post(openaiChatBody(this.model, call), call.signal);
    } catch {
      yield {
        type: 'error',
        error:
          abortFailure(call.signal) ??
          new UpstreamError({ kind: 'network', message: 'the upstream connection failed' }),
      };
      return;
    }
    const status = res.statusCode ?? 0;
    if (status < 200 || status >= 300) {
      const body = await readErrorBody(res).catch(() => '');
      yield {
        type: 'error',
        error: abortFailure(call.signal) ?? classifyHttpFailure(status, body, flatHeaders(res)),
      };
      return;
    }
    if (!(res.headers['content-type'] ?? '').includes('text/event-stream')) {
      res.destroy();
      yield {
        type: 'error',
        error: incomplete('the upstream answered with a body that is not an event stream'),
      };
      return;
    }

    const parser = new SseEventParser();
    const parts: ProviderStreamPart[] = [];
    let finishReason: string | undefined;
    let usage: Usage | undefined;
    let sawText = false;
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
      const choice = choices?.[0];
      const text = choice?.delta?.content;
      if (text) {
        sawText = true;
        // The fragments of one network read travel on as one part: same text, less work.
        const last = parts[parts.length - 1];
        if (last?.type === 'text-delta') last.text += text;
        else parts.push({ type: 'text-delta', text });
      }
      if (choice?.finish_reason) finishReason = choice.finish_reason;
    };

    try {
      res.setEncoding('utf8');
      for await (const text of res as AsyncIterable<string>) {
        parser.feed(text, onData);
        // Parts are handed on as soon as a network chunk is parsed, never held back.
        for (const part of parts) yield part;
        parts.length = 0;
        if (failure) break;
      }
      if (!failure && !res.complete) failure = incomplete('the upstream connection was cut mid-stream');
      if (!failure) {
        parser.end(onData);
        for (const part of parts) yield part;
      }
    } catch {
      failure = abortFailure(call.signal) ?? incomplete('the upstream connection was cut mid-stream');
    } finally {
      if (!res.complete) res.destroy();
    }
    failure = abortFailure(call.signal) ?? failure;
    if (failure) {
      yield { type: 'error', error: failure };
    } else if (finishReason === undefined) {
      yield { type: 'error', error: incomplete('the upstream stream ended without a finish reason') };
    } else if (finishReason === 'content_filter' && !sawText) {
      // A refusal with nothing to show: fail so that the router can try another model.
      yield {
        type: 'error',
        error: new UpstreamError({
          kind: 'content_filtered',
          message: 'the upstream withheld the answer (content_filter)',
        }),
      };
    } else {
      yield { type: 'finish', finishReason: mapFinishReason(finishReason), usage };
    }
  }
}
