import type { ModelGroup as CoreModelGroup } from '../../routing/model-pools.js';
import { builder } from '../builder.js';

const ModelGroup = builder.objectRef<CoreModelGroup>('ModelGroup').implement({
  description: 'A pool of the config file, named as `group/<name>` (or `auto`) wherever a model is named.',
  fields: (t) => ({
    id: t.exposeID('id', { description: '`group/<name>`, or `auto`.' }),
    name: t.exposeString('name'),
    models: t.exposeStringList('models', {
      description: 'Its models; for `auto` and routed groups, the default pool.',
    }),
    routes: t.exposeStringList('routes', {
      description: 'Its prompt routes, by name; empty for a plain list.',
    }),
  }),
});

builder.queryField('modelGroups', (t) =>
  t.field({
    type: [ModelGroup],
    description: 'The model groups of the config file, and `auto` when prompt-aware routing is configured.',
    resolve: (_root, _args, context) => [...context.service.groups],
  }),
);
