/**
 * `npm run bench:hedge`: hedged requests measured (SPEC §9). One upstream model has a long
 * tail of time to first token (most answers start at once, one in 50 after a second); a
 * steady second model starts at 60 ms. The same streaming load runs through a gateway without
 * hedging and one with `routing.hedge`, and the p50/p95/p99 time to first token and the cost
 * of the extra attempts are written to bench/results/hedging.md.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { createApp } from '../src/app.js';
import { loadConfig } from '../src/config/load-config.js';
import { percentile } from './load.js';

const requests = process.argv.includes('--quick') ? 120 : 400;
const concurrency = 4;
const adminKey = 'sy-bench-admin-key-0123456789abcdef';

/** A seeded random source, so both gateways face the same tail. */
function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

/** `tail`: 98% start in 10–30 ms, 2% after 1,000 ms; `steady`: always 60 ms. Ten words each. */
function startTailUpstream(): Promise<{ url: string; close: () => void }> {
  const random = seeded(42);
  const chunk = (delta: unknown, finish: string | null = null) =>
    `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 0, model: 'm', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    let text = '';
    for await (const part of req) text += part;
    const { model } = JSON.parse(text) as { model: string };
    const delay = model === 'steady' ? 60 : random() < 0.02 ? 1_000 : 10 + 20 * random();
    await new Promise((resolve) => setTimeout(resolve, delay));
    if (res.destroyed) return;
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write(chunk({ role: 'assistant', content: '' }));
    for (let i = 0; i < 10; i++) res.write(chunk({ content: 'token ' }));
    res.write(chunk({}, 'stop'));
    res.write(
      `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 0, model: 'm', choices: [], usage: { prompt_tokens: 12, completion_tokens: 10, total_tokens: 22 } })}\n\n`,
    );
    res.end('data: [DONE]\n\n');
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({ url: `http://127.0.0.1:${port}`, close: () => server.close() });
    }),
  );
}

async function startGateway(upstreamUrl: string, hedge: boolean) {
  const cwd = mkdtempSync(join(tmpdir(), 'switchyard-hedge-'));
  const path = join(cwd, 'switchyard.config.json');
  writeFileSync(
    path,
    JSON.stringify({
      providers: [{ name: 'tailco', kind: 'openai-compatible', baseURL: `${upstreamUrl}/v1` }],
      models: [
        { id: 'tailco/tail', inputPricePerMTok: 1, outputPricePerMTok: 2 },
        { id: 'tailco/steady', inputPricePerMTok: 1, outputPricePerMTok: 2 },
      ],
      routing: hedge ? { hedge: { enabled: true, afterMs: 150 } } : {},
    }),
  );
  const config = loadConfig(
    {
      HOST: '127.0.0.1',
      PORT: '0',
      ADMIN_API_KEY: adminKey,
      LOG_LEVEL: 'silent',
      SWITCHYARD_CONFIG: path,
      DATABASE_URL: process.env.DATABASE_URL ?? 'memory://',
    },
    cwd,
  );
  const app = await createApp({ config, logger: pino({ level: 'silent' }) });
  await app.start();
  return app;
}

interface Run {
  ttft: number[];
  attempts: number;
  costUsd: number;
}

async function load(url: string, count: number): Promise<Run> {
  const ttft: number[] = [];
  let attempts = 0;
  let costUsd = 0;
  let next = 0;
  const once = async () => {
    const started = performance.now();
    const response = await fetch(`${url}/api/v1/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${adminKey}` },
      body: JSON.stringify({
        messages: [{ role: 'user', content: 'Say hello.' }],
        models: ['tailco/tail', 'tailco/steady'],
        strategy: 'ordered',
        stream: true,
      }),
    });
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let body = '';
    let first: number | undefined;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      body += decoder.decode(value, { stream: true });
      if (first === undefined && body.includes('"type":"text"')) first = performance.now() - started;
    }
    const done = JSON.parse(body.trim().split('\n\n').at(-1)!.slice(6)) as {
      type: string;
      attempts: unknown[];
      usage: { costs: { total_tokens_cost: number } };
    };
    if (done.type !== 'done' || first === undefined) throw new Error(`an answer failed: ${body.slice(-300)}`);
    ttft.push(first);
    attempts += done.attempts.length;
    costUsd += done.usage.costs.total_tokens_cost;
  };
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next++ < count) await once();
    }),
  );
  return { ttft, attempts, costUsd };
}

const upstream = await startTailUpstream();
const results: Record<string, Run> = {};
for (const hedge of [false, true]) {
  const app = await startGateway(upstream.url, hedge);
  // Warm-up: the hedged gateway learns the tail model's p95 from these.
  await load(app.url, 100);
  results[hedge ? 'hedged' : 'plain'] = await load(app.url, requests);
  await app.stop();
}
upstream.close();

const row = (name: string, run: Run) =>
  `| ${name} | ${percentile(run.ttft, 50).toFixed(0)} | ${percentile(run.ttft, 95).toFixed(0)} | ${percentile(run.ttft, 99).toFixed(0)} | ${(run.attempts / run.ttft.length).toFixed(2)} | ${((run.costUsd / run.ttft.length) * 1e6).toFixed(2)} |`;
const report = `# Hedged requests (${new Date().toISOString()})

${requests} streamed requests at concurrency ${concurrency} through the real server (\`POST /api/v1/completions\`), pool
\`[tail, steady]\` in that order. \`tail\` starts its answer in 10–30 ms 98 times in 100 and after 1,000 ms
otherwise (a seeded random sequence); \`steady\` always in 60 ms. Hedging:
\`routing.hedge: { enabled: true, afterMs: 150 }\`, so after the warm-up the tail model is hedged at its
observed p95 time to first token. Times are milliseconds from the request to the first text event.

| gateway | ttft p50 | ttft p95 | ttft p99 | attempts per answer | cost per answer (µ$) |
| --- | --- | --- | --- | --- | --- |
${row('without hedging', results.plain!)}
${row('with hedging', results.hedged!)}

The extra attempts are the hedges started beside a slow first token; each loser is aborted at
once and billed its prompt as an estimate, so hedging trades a little cost for the tail.
`;
writeFileSync(new URL('./results/hedging.md', import.meta.url), report);
process.stdout.write(report);
process.exit(0);
