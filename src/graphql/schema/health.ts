import { builder } from '../builder.js';

builder.queryField('health', (t) =>
  t.string({
    description: 'Always "ok" when the API answers.',
    resolve: () => 'ok',
  }),
);
