import type { ActivityTopics } from '../events/activity-events.js';
import type { GraphQLContext } from './context.js';

/** What an activity subscription yields: an event, or once, the news that its key was revoked. */
export type Watched<T> = { kind: 'event'; event: T } | { kind: 'revoked' };

/** How often an idle subscription checks that its key is still active. */
export const idleRecheckMs = 2_000;

/**
 * The events of one topic that the subscriber may see, from every instance. Authorization is
 * checked per event, not only at subscribe time: before each event is delivered the key is
 * read again, and an idle subscription re-reads it every `idleRecheckMs`, so a key revoked
 * anywhere ends its subscriptions (with one `revoked` item, then the end).
 */
export async function* watchActivity<T extends keyof ActivityTopics>(
  context: GraphQLContext,
  topic: T,
  visible: (event: ActivityTopics[T]) => boolean,
): AsyncGenerator<Watched<ActivityTopics[T]>> {
  const events = context.activity.subscribe(topic);
  const { keyId } = context.principal;
  let pending = events.next();
  try {
    while (true) {
      let timer: NodeJS.Timeout | undefined;
      const idle = new Promise<'idle'>((resolve) => {
        timer = setTimeout(resolve, idleRecheckMs, 'idle');
      });
      const next = await Promise.race([pending, idle]);
      clearTimeout(timer);
      if (next === 'idle') {
        if (!(await context.keyActivity.isActive(keyId, idleRecheckMs / 2))) {
          yield { kind: 'revoked' };
          return;
        }
        continue;
      }
      if (next.done) return;
      pending = events.next();
      if (!visible(next.value)) continue;
      if (!(await context.keyActivity.isActive(keyId))) {
        yield { kind: 'revoked' };
        return;
      }
      yield { kind: 'event', event: next.value };
    }
  } finally {
    await events.return?.();
  }
}
