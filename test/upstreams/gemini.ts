import { jsonReply, sseEvent, sseHeaders, type UpstreamReply } from './scripted-upstream.js';

/** Gemini `models/{model}:streamGenerateContent?alt=sse`, as documented. */

export interface GeminiUsage {
  promptTokenCount: number;
  candidatesTokenCount: number;
  thoughtsTokenCount?: number;
  cachedContentTokenCount?: number;
}

export interface GeminiStreamOptions {
  finishReason?: string | null;
  usage?: GeminiUsage;
  modelVersion?: string;
  /** Google Search grounding, reported on the last event's candidate. */
  grounding?: GeminiGrounding;
}

/** What Google Search found for a grounded answer (`groundingMetadata`). */
export interface GeminiGrounding {
  queries: string[];
  /** Google sends its own redirect links as `uri`, with the site as `title`. */
  chunks: { uri: string; title: string }[];
}

const groundingMetadata = (grounding: GeminiGrounding) => ({
  webSearchQueries: grounding.queries,
  searchEntryPoint: { renderedContent: '<div class="container">Google Search suggestions</div>' },
  groundingChunks: grounding.chunks.map((chunk) => ({ web: { uri: chunk.uri, title: chunk.title } })),
  groundingSupports: [
    {
      segment: { startIndex: 0, endIndex: 5, text: 'Hello' },
      groundingChunkIndices: grounding.chunks.map((_, index) => index),
      confidenceScores: grounding.chunks.map(() => 0.9),
    },
  ],
});

const response = (
  candidate: Record<string, unknown>,
  usage: GeminiUsage | undefined,
  modelVersion: string,
) => ({
  candidates: [{ index: 0, ...candidate }],
  ...(usage
    ? { usageMetadata: { ...usage, totalTokenCount: usage.promptTokenCount + usage.candidatesTokenCount } }
    : {}),
  modelVersion,
  responseId: 'resp_test',
});

/**
 * A part of a candidate's content, as Gemini streams it: answer text, a thought summary
 * (`thought: true`, sent when `thinkingConfig.includeThoughts` is on), or a function call
 * (whole: Gemini streams no partial arguments), each maybe with its `thoughtSignature`.
 */
export type GeminiPart =
  | { text: string; thought?: boolean; thoughtSignature?: string }
  | { functionCall: { name: string; args: Record<string, unknown>; id?: string }; thoughtSignature?: string };

/**
 * One `data:` event per element of `events` (the parts of that chunk); the last carries the
 * finish reason and usage.
 */
export function geminiPartEvents(events: GeminiPart[][], options: GeminiStreamOptions = {}): string[] {
  const modelVersion = options.modelVersion ?? 'gemini-2.5-flash';
  const usage = options.usage ?? { promptTokenCount: 12, candidatesTokenCount: events.length };
  const finishReason = options.finishReason === undefined ? 'STOP' : options.finishReason;
  return events.map((parts, index) => {
    const last = index === events.length - 1;
    return sseEvent(
      response(
        {
          content: { role: 'model', parts },
          ...(last && finishReason !== null ? { finishReason } : {}),
        },
        last && finishReason !== null ? usage : undefined,
        modelVersion,
      ),
    );
  });
}

/** One `data:` event per text piece; the last carries the finish reason and usage. */
export function geminiEvents(pieces: string[], options: GeminiStreamOptions = {}): string[] {
  const modelVersion = options.modelVersion ?? 'gemini-2.5-flash';
  const usage = options.usage ?? { promptTokenCount: 12, candidatesTokenCount: pieces.length };
  const finishReason = options.finishReason === undefined ? 'STOP' : options.finishReason;
  return pieces.map((text, index) => {
    const last = index === pieces.length - 1;
    return sseEvent(
      response(
        {
          content: { role: 'model', parts: [{ text }] },
          ...(last && finishReason !== null ? { finishReason } : {}),
          ...(last && options.grounding ? { groundingMetadata: groundingMetadata(options.grounding) } : {}),
        },
        last && finishReason !== null ? usage : undefined,
        modelVersion,
      ),
    );
  });
}

const sseReply = (chunks: string[]): UpstreamReply => ({ status: 200, headers: sseHeaders, chunks });

/**
 * Scripted Gemini answers. Besides `stream`, `error` and `blocked`:
 * - `parts(events, options?)`: one event per element, each the parts of that chunk;
 * - `functionCalls(calls, options?)`: optional leading text pieces (`options.text`), then one event
 *   with a `functionCall` part per call (the first with `thoughtSignature` when given); finish STOP,
 *   as Gemini ends a turn that calls functions;
 * - `thinking(thoughts, answer, options?)`: one thought-summary event per piece of `thoughts`, then
 *   one event per answer piece (the first answer part with `options.thoughtSignature`).
 */
export const gemini = {
  stream: (pieces: string[], options: GeminiStreamOptions = {}): UpstreamReply =>
    sseReply(geminiEvents(pieces, options)),
  parts: (events: GeminiPart[][], options: GeminiStreamOptions = {}): UpstreamReply =>
    sseReply(geminiPartEvents(events, options)),
  functionCalls: (
    calls: { name: string; args: Record<string, unknown>; thoughtSignature?: string }[],
    options: GeminiStreamOptions & { text?: string[] } = {},
  ): UpstreamReply =>
    sseReply(
      geminiPartEvents(
        [
          ...(options.text ?? []).map((text) => [{ text }]),
          calls.map(({ thoughtSignature, ...functionCall }) => ({
            functionCall,
            ...(thoughtSignature ? { thoughtSignature } : {}),
          })),
        ],
        options,
      ),
    ),
  thinking: (
    thoughts: string[],
    answer: string[],
    options: GeminiStreamOptions & { thoughtSignature?: string } = {},
  ): UpstreamReply =>
    sseReply(
      geminiPartEvents(
        [
          ...thoughts.map((text) => [{ text, thought: true }]),
          ...answer.map((text, index) => [
            {
              text,
              ...(index === 0 && options.thoughtSignature
                ? { thoughtSignature: options.thoughtSignature }
                : {}),
            },
          ]),
        ],
        options,
      ),
    ),
  /** `{"error":{"code","message","status"}}`, Google's API error shape. */
  error: (
    status: number,
    googleStatus: string,
    message: string,
    headers: Record<string, string> = {},
  ): UpstreamReply => jsonReply(status, { error: { code: status, message, status: googleStatus } }, headers),
  /** A prompt blocked before any candidate was produced. */
  blocked: (blockReason: string): UpstreamReply => ({
    status: 200,
    headers: sseHeaders,
    chunks: [
      sseEvent({
        promptFeedback: { blockReason },
        usageMetadata: { promptTokenCount: 12, totalTokenCount: 12 },
        modelVersion: 'gemini-2.5-flash',
      }),
    ],
  }),
};
