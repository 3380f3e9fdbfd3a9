import type { Principal } from '../auth/principal.js';
import type { Database } from '../db/database.js';

/** What every resolver gets. */
export interface GraphQLContext {
  principal: Principal;
  database: Database;
}
