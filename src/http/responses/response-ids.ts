/**
 * Ids of the Responses surface, derived from the stored assistant message's id so that a
 * response (`resp_<id>`) and each of its output items (`msg_<id>`, `rs_<id>`, `fc_<id>`, with
 * `_<n>` for the n-th later item of the same kind) lead back to the turn they came from.
 */

const uuid = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const responseIdPattern = new RegExp(`^resp_(${uuid})$`, 'i');
const itemIdPattern = new RegExp(`^(msg|rs|fc)_(${uuid})(?:_([1-9][0-9]*))?$`, 'i');

/** The kinds of output item, by their id prefix. */
export type ItemKind = 'msg' | 'rs' | 'fc';

export const responseIdOf = (messageId: string): string => `resp_${messageId}`;

/** The stored message id of a response id, or undefined when it is not one of ours. */
export const messageIdOfResponse = (responseId: string): string | undefined =>
  responseIdPattern.exec(responseId)?.[1]?.toLowerCase();

/** The id of the `ordinal`-th item (from 0) of `kind` in the answer `messageId`. */
export const itemIdOf = (kind: ItemKind, messageId: string, ordinal: number): string =>
  ordinal === 0 ? `${kind}_${messageId}` : `${kind}_${messageId}_${ordinal}`;

/** The answer an output item id belongs to, or undefined when it is not one of ours. */
export function parseItemId(itemId: string): { kind: ItemKind; messageId: string } | undefined {
  const match = itemIdPattern.exec(itemId);
  if (!match) return undefined;
  return { kind: match[1]!.toLowerCase() as ItemKind, messageId: match[2]!.toLowerCase() };
}

/** Counts the items of each kind as they are added, to name them. */
export class ItemNamer {
  readonly #counts: Record<ItemKind, number> = { msg: 0, rs: 0, fc: 0 };

  constructor(private readonly messageId: string) {}

  next(kind: ItemKind): string {
    return itemIdOf(kind, this.messageId, this.#counts[kind]++);
  }
}
