/** A model addressed as `provider/model`; the model part may itself contain slashes. */
export interface ModelRef {
  id: string;
  provider: string;
  model: string;
}

export const modelIdPattern = /^[a-z0-9][a-z0-9_-]*\/[^\s/][^\s]*$/;

/** The model id that routes by what the prompt is about (SPEC §10). */
export const autoModelId = 'auto';

/** `group/<name>` names a pool from the config's `groups:`, never a provider. */
export const groupProvider = 'group';

export function parseModelRef(id: string): ModelRef {
  const slash = id.indexOf('/');
  if (slash < 0) return { id, provider: '', model: id };
  return { id, provider: id.slice(0, slash), model: id.slice(slash + 1) };
}

/** Whether the ref names a pool (`auto` or `group/<name>`) that planning expands. */
export const namesPool = (ref: ModelRef): boolean => ref.id === autoModelId || ref.provider === groupProvider;
