import type { KeyLimits } from '../limits/key-limits.js';

/** The API key a request authenticated with. */
export interface Principal {
  keyId: string;
  name: string;
  admin: boolean;
  /** The key's limits as read at authentication; absent means none. */
  limits?: KeyLimits;
}
