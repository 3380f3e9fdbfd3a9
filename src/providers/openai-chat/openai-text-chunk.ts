/** Absent or null: what the chunk schema reads as "not sent". */
const unset = (value: unknown) => value === undefined || value === null;

/**
 * The text of the commonest stream chunk, checked by hand on the few fields that are read:
 * one choice (index 0), a delta whose only read field is a string `content`, no finish
 * reason, logprobs, usage or error. Most chunks of every answer are this one, and this
 * check costs a fraction of the full schema's. Anything else (tool calls, reasoning,
 * refusals, several choices, the last chunks) returns undefined and goes through
 * `openaiChatChunkSchema`, which reads it the same way.
 */
export function plainTextOfChunk(json: unknown): string | undefined {
  if (typeof json !== 'object' || json === null) return undefined;
  const chunk = json as Record<string, unknown>;
  if (!unset(chunk.error) || !unset(chunk.usage)) return undefined;
  const choices = chunk.choices;
  if (!Array.isArray(choices) || choices.length !== 1) return undefined;
  const choice = choices[0] as Record<string, unknown> | null;
  if (typeof choice !== 'object' || choice === null) return undefined;
  if (!(unset(choice.index) || choice.index === 0)) return undefined;
  if (!unset(choice.finish_reason) || !unset(choice.logprobs)) return undefined;
  const delta = choice.delta as Record<string, unknown> | null | undefined;
  if (typeof delta !== 'object' || delta === null || typeof delta.content !== 'string') return undefined;
  if (!unset(delta.reasoning_content) || !unset(delta.reasoning)) return undefined;
  if (!unset(delta.refusal) || !unset(delta.tool_calls)) return undefined;
  return delta.content;
}
