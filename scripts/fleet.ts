/**
 * `npm run fleet`: N Switchyard instances on one PostgreSQL and one Redis, behind a small
 * round-robin proxy, for trying a fleet out on one machine (not for production: use a real
 * load balancer there, see README "Running a fleet").
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/switchyard REDIS_URL=redis://127.0.0.1:6379 \
 *     FLEET_SIZE=3 PORT=4000 npm run fleet
 *
 * The proxy listens on PORT and forwards each HTTP request (and each WebSocket, for
 * graphql-ws) to the next instance whose /readyz answers 200; the instances listen on
 * PORT+1 … PORT+N. Every other variable (ADMIN_API_KEY, provider keys, SWITCHYARD_CONFIG…)
 * is passed to every instance. Ctrl-C stops them all gracefully.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer, type IncomingMessage, request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

const envSchema = z.object({
  DATABASE_URL: z
    .string({ error: 'DATABASE_URL is required: the PostgreSQL database every instance shares' })
    .regex(/^postgres(ql)?:\/\//, 'DATABASE_URL must be a postgres:// URL (instances cannot share PGlite)'),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'REDIS_URL must start with redis://')
    .default('redis://127.0.0.1:6379'),
  FLEET_SIZE: z.coerce.number().int().min(1).max(16).default(3),
  PORT: z.coerce.number().int().min(1).max(65_000).default(4000),
  HOST: z.string().default('127.0.0.1'),
});

const parsed = envSchema.safeParse(process.env);
if (!parsed.success) {
  for (const issue of parsed.error.issues) process.stderr.write(`fleet: ${issue.message}\n`);
  process.exit(2);
}
const settings = parsed.data;
const root = fileURLToPath(new URL('..', import.meta.url));

interface Instance {
  name: string;
  port: number;
  child: ChildProcess;
  ready: boolean;
}

const instances: Instance[] = Array.from({ length: settings.FLEET_SIZE }, (_, index) => {
  const port = settings.PORT + 1 + index;
  const name = `instance-${index + 1}`;
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: root,
    env: { ...process.env, HOST: '127.0.0.1', PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const prefix = (line: string) => `[${name}] ${line}\n`;
  for (const stream of [child.stdout, child.stderr]) {
    let rest = '';
    stream?.on('data', (data: Buffer) => {
      const lines = (rest + data.toString()).split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) process.stdout.write(prefix(line));
    });
  }
  child.on('exit', (code, signal) => process.stdout.write(prefix(`exited (${code ?? signal})`)));
  return { name, port, child, ready: false };
});

/** Marks each instance ready or not by its /readyz, every second: the proxy skips those that are not. */
async function checkReadiness(): Promise<void> {
  await Promise.all(
    instances.map(async (instance) => {
      try {
        const response = await fetch(`http://127.0.0.1:${instance.port}/readyz`, {
          signal: AbortSignal.timeout(900),
        });
        instance.ready = response.status === 200;
        await response.body?.cancel();
      } catch {
        instance.ready = false;
      }
    }),
  );
}
const readiness = setInterval(() => void checkReadiness(), 1_000);

let next = 0;
/** The next ready instance, round robin; undefined when none is. */
function pick(): Instance | undefined {
  for (let tried = 0; tried < instances.length; tried++) {
    const instance = instances[next++ % instances.length]!;
    if (instance.ready) return instance;
  }
  return undefined;
}

const proxy = createServer((req, res) => {
  const target = pick();
  if (!target) {
    res.writeHead(503, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: { code: 'unavailable', message: 'no instance is ready' } }));
    return;
  }
  const upstream = request(
    { host: '127.0.0.1', port: target.port, method: req.method, path: req.url, headers: req.headers },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    },
  );
  upstream.on('error', () => {
    if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/json' });
    res.end();
  });
  // A client that goes away cancels the instance's work too.
  res.on('close', () => upstream.destroy());
  req.pipe(upstream);
});

// WebSockets (graphql-ws): the upgrade request and then the raw bytes both ways.
proxy.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
  const target = pick();
  if (!target) {
    socket.end('HTTP/1.1 503 Service Unavailable\r\n\r\n');
    return;
  }
  const upstream = connect(target.port, '127.0.0.1', () => {
    const headers = Object.entries(req.headers).flatMap(([name, value]) =>
      (Array.isArray(value) ? value : [value ?? '']).map((item) => `${name}: ${item}`),
    );
    upstream.write(`${req.method} ${req.url} HTTP/1.1\r\n${headers.join('\r\n')}\r\n\r\n`);
    if (head.length > 0) upstream.write(head);
    upstream.pipe(socket);
    socket.pipe(upstream);
  });
  const close = () => {
    upstream.destroy();
    socket.destroy();
  };
  upstream.on('error', close);
  socket.on('error', close);
});

proxy.listen(settings.PORT, settings.HOST, () => {
  process.stdout.write(
    `fleet: ${instances.length} instances on ports ${instances[0]!.port}-${instances.at(-1)!.port}, ` +
      `round-robin proxy on http://${settings.HOST}:${settings.PORT}\n`,
  );
});

let stopping = false;
function stop(): void {
  if (stopping) return;
  stopping = true;
  clearInterval(readiness);
  proxy.close();
  const exits = instances.map(
    (instance) =>
      new Promise<void>((resolve) => {
        if (instance.child.exitCode !== null || instance.child.signalCode !== null) return resolve();
        instance.child.once('exit', () => resolve());
        instance.child.kill('SIGTERM');
      }),
  );
  void Promise.all(exits).then(() => process.exit(0));
}
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
