import { builder } from '../builder.js';
import './health.js';

/** The whole GraphQL schema. */
export const schema = builder.toSchema();
