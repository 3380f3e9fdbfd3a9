/** A model addressed as `provider/model`; the model part may itself contain slashes. */
export interface ModelRef {
  id: string;
  provider: string;
  model: string;
}

export const modelIdPattern = /^[a-z0-9][a-z0-9_-]*\/[^\s/][^\s]*$/;

export function parseModelRef(id: string): ModelRef {
  const slash = id.indexOf('/');
  return { id, provider: id.slice(0, slash), model: id.slice(slash + 1) };
}
