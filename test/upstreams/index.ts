/** Local stand-ins for upstream LLM APIs, for tests and the benchmark. See scripted-upstream.ts. */
export * from './anthropic-messages.js';
export * from './gemini.js';
export * from './openai-chat.js';
export * from './openai-responses.js';
export * from './scripted-upstream.js';
