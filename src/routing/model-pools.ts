import type { AutoRoutingConfig, GroupConfig } from '../config/config-schema.js';
import { GatewayError } from '../core/gateway-error.js';
import { autoModelId, groupProvider, type ModelRef, namesPool, parseModelRef } from '../core/model-ref.js';

/** One route of a prompt-aware pool: prompts like its utterances go to its models. */
export interface PromptRoute {
  name: string;
  utterances: string[];
  models: ModelRef[];
}

/** A pool chosen by what the prompt is about: `auto`, or a group with routes. */
export interface PromptRoutedPool {
  /** `auto` or `group/<name>`. */
  id: string;
  routes: PromptRoute[];
  /** The pool when no route is close enough. */
  defaultModels: ModelRef[];
  threshold: number;
  embeddingModel: string;
}

/** A model group as listed by `/v1/models` and GraphQL `modelGroups`. */
export interface ModelGroup {
  /** `group/<name>`, or `auto` (its models are the default pool). */
  id: string;
  name: string;
  models: string[];
  /** Route names, for a group that routes by prompt. */
  routes: string[];
}

const refs = (ids: readonly string[]) => ids.map(parseModelRef);

/**
 * The pools of the config (SPEC §10): `group/<name>` from `groups:`, and `auto` from
 * `autoRouting`. Planning expands a pool reference into its models here, so every surface
 * accepts them wherever it accepts a model.
 */
export class ModelPools {
  readonly #groups = new Map<string, { models: ModelRef[]; routed: PromptRoutedPool | undefined }>();
  readonly #auto: PromptRoutedPool | undefined;
  readonly list: ModelGroup[];

  constructor(groups: Record<string, GroupConfig> = {}, autoRouting?: AutoRoutingConfig) {
    this.#auto = autoRouting && {
      id: autoModelId,
      routes: autoRouting.routes.map((route) => ({ ...route, models: refs(route.models) })),
      defaultModels: refs(autoRouting.defaultModels),
      threshold: autoRouting.threshold,
      embeddingModel: autoRouting.embeddingModel,
    };
    this.list = autoRouting
      ? [
          {
            id: autoModelId,
            name: autoModelId,
            models: [...autoRouting.defaultModels],
            routes: autoRouting.routes.map((route) => route.name),
          },
        ]
      : [];
    for (const [name, group] of Object.entries(groups)) {
      const id = `${groupProvider}/${name}`;
      const ids = Array.isArray(group) ? group : group.models;
      const routes = Array.isArray(group) ? [] : (group.routes ?? []);
      const models = refs(ids);
      // Validated at boot: a group with routes needs autoRouting's embedding model.
      const routed =
        routes.length > 0 && autoRouting
          ? {
              id,
              routes: routes.map((route) => ({ ...route, models: refs(route.models) })),
              defaultModels: models,
              threshold: Array.isArray(group)
                ? autoRouting.threshold
                : (group.threshold ?? autoRouting.threshold),
              embeddingModel: autoRouting.embeddingModel,
            }
          : undefined;
      this.#groups.set(name, { models, routed });
      this.list.push({ id, name, models: [...ids], routes: routes.map((route) => route.name) });
    }
  }

  /** The prompt-aware pool a reference names, or undefined when it names a plain group or a model. */
  promptRouted(ref: ModelRef): PromptRoutedPool | undefined {
    if (ref.id === autoModelId) {
      if (!this.#auto)
        throw new GatewayError(
          'invalid_request',
          'invalid request: the model "auto" needs autoRouting in the config file (embeddingModel, routes, defaultModels)',
        );
      return this.#auto;
    }
    if (ref.provider !== groupProvider) return undefined;
    return this.#group(ref).routed;
  }

  /**
   * The models each reference stands for, in order: a model for itself, a group for its
   * models, a prompt-aware pool for the models `chosen` holds for it (its route's, or its
   * default pool).
   */
  expand(list: readonly ModelRef[], chosen?: ReadonlyMap<string, ModelRef[]>): ModelRef[] {
    if (!list.some(namesPool)) return list as ModelRef[];
    return list.flatMap((ref) => {
      if (!namesPool(ref)) return [ref];
      const routed = chosen?.get(ref.id);
      if (routed) return routed;
      const pool = this.promptRouted(ref);
      if (pool) return pool.defaultModels;
      return this.#group(ref).models;
    });
  }

  #group(ref: ModelRef) {
    const group = this.#groups.get(ref.model);
    if (!group) {
      const known = [...this.#groups.keys()].map((name) => `group/${name}`);
      throw new GatewayError(
        'invalid_request',
        `invalid request: unknown model group "${ref.id}" (${known.length > 0 ? `configured: ${known.join(', ')}` : 'the config file defines no groups'})`,
        { fields: [`models: unknown model group "${ref.id}"`] },
      );
    }
    return group;
  }
}
