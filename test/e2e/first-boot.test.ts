import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

/** Starts `npm start`'s entry point and resolves with its stdout once it listens. */
function boot(env: Record<string, string>): Promise<{ child: ChildProcess; stdout: () => string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: { PATH: process.env.PATH, LOG_LEVEL: 'info', ...env },
  });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  return new Promise((resolve, reject) => {
    child.stdout.on('data', () => {
      if (out.includes('switchyard listening')) resolve({ child, stdout: () => out });
    });
    child.once('exit', (code) => reject(new Error(`exited with ${code}: ${out}`)));
  });
}

const stopped = (child: ChildProcess) =>
  new Promise<number | null>((resolve) => {
    child.once('exit', (code) => resolve(code));
    child.kill('SIGTERM');
  });

describe('first boot', () => {
  let child: ChildProcess | undefined;
  afterEach(async () => {
    if (child && child.exitCode === null) await stopped(child);
  });

  it('creates an admin key when none exists, prints it once, and it works; SIGTERM exits cleanly', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'switchyard-first-boot-'));
    const port = await freePort();
    const first = await boot({ DATA_DIR: dataDir, PORT: String(port) });
    child = first.child;
    const secret = /^\s+(sy-\S+)$/m.exec(first.stdout())?.[1];
    expect(secret).toBeTruthy();
    const response = await fetch(`http://127.0.0.1:${port}/api/v1/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${secret}` },
      body: JSON.stringify({ messages: [{ role: 'user', content: 'hello there' }], models: ['local/echo'] }),
    });
    expect(response.status).toBe(200);
    expect(await stopped(first.child)).toBe(0);

    // The second boot on the same data finds the key and prints nothing secret.
    const second = await boot({ DATA_DIR: dataDir, PORT: String(port) });
    child = second.child;
    expect(second.stdout()).not.toContain('sy-');
    const again = await fetch(`http://127.0.0.1:${port}/api/v1/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${secret}` },
      body: JSON.stringify({ messages: [{ role: 'user', content: 'still me' }], models: ['local/echo'] }),
    });
    expect(again.status).toBe(200);
  }, 60_000);
});
