import { builder } from '../builder.js';
import './api-key.js';
import './completion.js';
import './completion-chunk.js';
import './completion-events.js';
import './conversation.js';
import './health.js';
import './model.js';
import './model-group.js';
import './model-health.js';
import './routing.js';
import './turn-completion.js';
import './usage.js';

/** The whole GraphQL schema. */
export const schema = builder.toSchema({ sortSchema: true });
