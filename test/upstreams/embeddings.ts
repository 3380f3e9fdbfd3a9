import { jsonReply, type ReceivedRequest, type UpstreamReply } from './scripted-upstream.js';

/**
 * Embeddings endpoints as documented: OpenAI's `POST /embeddings` and Gemini's
 * `models/{model}:batchEmbedContents`.
 */

/** A vector that depends on the text only, so tests can tell which text went where. */
export function vectorOf(text: string, dimensions: number): number[] {
  let seed = 7;
  for (const char of text) seed = (seed * 31 + char.charCodeAt(0)) % 100_003;
  return Array.from({ length: dimensions }, (_, i) => Math.round(((seed * (i + 1)) % 2000) - 1000) / 1000);
}

const openaiBody = (vectors: number[][], model: string, promptTokens: number) => ({
  object: 'list',
  data: vectors.map((embedding, index) => ({ object: 'embedding', index, embedding })),
  model,
  usage: { prompt_tokens: promptTokens, total_tokens: promptTokens },
});

interface OpenAIEmbeddingsBody {
  model: string;
  input: string | string[];
  dimensions?: number;
}

export const openaiEmbeddings = {
  /** Fixed vectors, as OpenAI answers `encoding_format: "float"`. */
  vectors: (vectors: number[][], promptTokens = 8, model = 'text-embedding-3-small'): UpstreamReply =>
    jsonReply(200, openaiBody(vectors, model, promptTokens), { 'x-request-id': 'req_upstream' }),
  /** `vectorOf` each input, `dimensions` long (default 4); `promptTokens` reported. */
  echo:
    (promptTokens = 8) =>
    (request: ReceivedRequest): UpstreamReply => {
      const body = request.body as OpenAIEmbeddingsBody;
      const inputs = typeof body.input === 'string' ? [body.input] : body.input;
      const vectors = inputs.map((text) => vectorOf(text, body.dimensions ?? 4));
      return jsonReply(200, openaiBody(vectors, body.model, promptTokens));
    },
  /** `{"error":{message,type,param,code}}`, OpenAI's error shape. */
  error: (
    status: number,
    type: string,
    message: string,
    headers: Record<string, string> = {},
  ): UpstreamReply => jsonReply(status, { error: { message, type, param: null, code: null } }, headers),
};

interface GeminiBatchBody {
  requests: { model: string; content: { parts: { text: string }[] }; outputDimensionality?: number }[];
}

export const geminiEmbeddings = {
  /** `{"embeddings":[{"values":[…]}]}`: Gemini reports no token usage here. */
  vectors: (vectors: number[][]): UpstreamReply =>
    jsonReply(200, { embeddings: vectors.map((values) => ({ values })) }),
  /** `vectorOf` each request's text, `outputDimensionality` long (default 4). */
  echo: (request: ReceivedRequest): UpstreamReply => {
    const body = request.body as GeminiBatchBody;
    return geminiEmbeddings.vectors(
      body.requests.map((entry) => vectorOf(entry.content.parts[0]!.text, entry.outputDimensionality ?? 4)),
    );
  },
  /** `{"error":{"code","message","status"}}`, Google's API error shape. */
  error: (status: number, googleStatus: string, message: string, headers: Record<string, string> = {}) =>
    jsonReply(status, { error: { code: status, message, status: googleStatus } }, headers),
};
