import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { loadConfig } from '../../src/config/load-config.js';
import { openDatabase } from '../../src/db/database.js';
import { completions } from '../../src/db/schema.js';
import { readSseEvents } from '../support/sse.js';
import { adminKey } from '../support/test-app.js';
import { openaiChat, startUpstream, type Upstream } from '../upstreams/index.js';

describe('graceful shutdown', () => {
  let upstream: Upstream;
  beforeAll(async () => {
    upstream = await startUpstream();
  });
  afterAll(() => upstream.close());

  it('lets an in-flight stream finish, refuses new work, writes every record, then closes', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'switchyard-shutdown-'));
    const config = loadConfig(
      {
        HOST: '127.0.0.1',
        PORT: '0',
        ADMIN_API_KEY: adminKey,
        DATA_DIR: dataDir,
        SHUTDOWN_GRACE_MS: '5000',
        OPENAI_API_KEY: 'sk-test',
        OPENAI_BASE_URL: `${upstream.url}/v1`,
      },
      dataDir,
    );
    const app = await createApp({ config, logger: pino({ level: 'silent' }) });
    await app.start();
    upstream.reply({ ...openaiChat.stream(['one', ' two', ' three', ' four']), chunkDelayMs: 150 });
    const response = await fetch(`${app.url}/api/v1/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminKey}` },
      body: JSON.stringify({
        messages: [{ role: 'user', content: 'slowly' }],
        models: ['openai/gpt-4o'],
        stream: true,
      }),
    });
    expect(response.status).toBe(200);
    const stopped = app.stop();
    // While the stream runs, the server takes no new connection.
    await expect(fetch(`${app.url}/readyz`)).rejects.toThrow();

    const events = await readSseEvents(response);
    expect(events.at(-1)).toMatchObject({
      type: 'done',
      message: { content: [{ text: 'one two three four' }] },
    });
    await stopped;

    // The database was closed only after the completion was written.
    const reopened = await openDatabase({ url: undefined, dataDir: config.dataDir });
    const rows = await reopened.db.select().from(completions);
    await reopened.close();
    expect(rows).toMatchObject([{ status: 'succeeded', stream: true, provider: 'openai' }]);
  }, 60_000);
});
