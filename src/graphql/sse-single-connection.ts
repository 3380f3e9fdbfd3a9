import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { GraphQLError } from 'graphql';
import { createHandler, type ExecutionResult, TOKEN_HEADER_KEY } from 'graphql-sse';
import { toGatewayError } from '../core/gateway-error.js';
import { readJsonBody } from '../http/read-json-body.js';
import type { Clock } from '../routing/clock.js';
import type { GraphQLServer, GraphQLServerContext } from './create-yoga.js';
import {
  executeEnveloped,
  prepareEnvelopedOperation,
  resultForClient,
  subscribeEnveloped,
} from './enveloped-operation.js';

/** What graphql-sse hands execute and the hooks as the operation's context. */
type OperationContext = Record<PropertyKey, unknown>;

/** A reservation whose event stream has not been opened by then is dropped. */
export const reservationTimeoutMs = 30_000;

/**
 * graphql-sse's single connection mode: a `PUT` reserves a stream and answers its token, a
 * `GET` with `X-GraphQL-Event-Stream-Token` opens it, `POST`s with the token run operations
 * whose results arrive on the stream, a `DELETE` stops one. Distinct connections (a `POST`
 * with `Accept: text/event-stream` and no token) are Yoga's own SSE.
 */
export const isSingleConnectionRequest = (req: IncomingMessage): boolean =>
  req.method === 'PUT' || req.method === 'DELETE' || req.headers[TOKEN_HEADER_KEY] !== undefined;

export interface GraphQLSseOptions {
  yoga: GraphQLServer;
  clock: Clock;
  maxBodyBytes: number;
  /** False while shutting down: new operations are refused. */
  isAccepting(): boolean;
}

export interface GraphQLSse {
  /** Serves one single-connection request of an authenticated client. */
  handle(req: IncomingMessage, res: ServerResponse, context: GraphQLServerContext): Promise<void>;
  /** Resolves once no operation is running on any stream, or after `timeoutMs`. */
  drain(timeoutMs: number): Promise<void>;
  /** Ends every open stream, which stops their operations. */
  close(): Promise<void>;
}

/** What the handler knows of the request besides its headers. */
interface RequestContext extends GraphQLServerContext {
  token: string | undefined;
}

interface Reservation {
  keyId: string;
  /** Operations started on the stream and not completed yet. */
  running: number;
  events?: AsyncGenerator<string, void, undefined>;
  expiry?: ReturnType<typeof setTimeout>;
}

const jsonError = (status: number, message: string, code: string) =>
  [
    JSON.stringify({ errors: [{ message, extensions: { code } }] }),
    { status, statusText: code, headers: { 'content-type': 'application/json; charset=utf-8' } },
  ] as const;

/**
 * An error result sent on the stream. graphql-sse takes a value from onSubscribe as a result
 * only if it has a `data` key; `undefined` keeps it off the wire, as the spec wants for a
 * request error.
 */
const refused = (errors: readonly GraphQLError[]): ExecutionResult => ({
  data: undefined,
  errors: [...errors],
});

/**
 * The handler of graphql-sse (the library's own protocol code) behind our authentication:
 * a stream's token belongs to the key that reserved it, and every operation goes through
 * `yoga.getEnveloped` with that key's principal, as on HTTP and WebSocket.
 */
export function createGraphQLSse(options: GraphQLSseOptions): GraphQLSse {
  const { yoga } = options;
  const reservations = new Map<string, Reservation>();

  const handler = createHandler<IncomingMessage, RequestContext, OperationContext>({
    authenticate: (req) => {
      if (req.method === 'PUT') return randomUUID();
      const { token, principal } = req.context;
      if (!token) {
        return jsonError(
          400,
          `${TOKEN_HEADER_KEY} is required: reserve a stream with PUT first`,
          'BAD_REQUEST',
        );
      }
      // Another key's token is as unknown as a made-up one.
      if (reservations.get(token)?.keyId !== principal.keyId) {
        return jsonError(404, 'no event stream was reserved with this token', 'NOT_FOUND');
      }
      return token;
    },
    onSubscribe: async (req, params) => {
      // Every operation that gets here ends in onComplete, refused ones too.
      const reservation = req.context.token ? reservations.get(req.context.token) : undefined;
      if (reservation) reservation.running++;
      if (!options.isAccepting()) {
        return refused([
          new GraphQLError('the server is shutting down', { extensions: { code: 'UNAVAILABLE' } }),
        ]);
      }
      const { principal, startedAt } = req.context;
      const prepared = await prepareEnvelopedOperation(yoga, { principal, startedAt }, params);
      if (Array.isArray(prepared)) return refused(prepared);
      // The envelop's context factory built it: our GraphQLContext, an object.
      return { ...prepared, contextValue: prepared.contextValue as OperationContext };
    },
    // The envelop validated the document already, with the armor's rules too.
    validate: () => [],
    execute: executeEnveloped,
    subscribe: subscribeEnveloped,
    onNext: (_ctx, _req, result) => resultForClient(result),
    onComplete: (_ctx, req) => {
      const reservation = req.context.token ? reservations.get(req.context.token) : undefined;
      if (reservation && reservation.running > 0) reservation.running--;
    },
  });

  async function respond(req: IncomingMessage, res: ServerResponse, context: RequestContext) {
    let body: Record<string, unknown> | null = null;
    if (req.method === 'POST') {
      try {
        body = (await readJsonBody(req, options.maxBodyBytes)) as Record<string, unknown>;
      } catch (error) {
        const problem = toGatewayError(error);
        const [text, init] = jsonError(problem.status, problem.message, problem.code.toUpperCase());
        res.writeHead(init.status, init.headers);
        return void res.end(text);
      }
    }
    const [payload, init] = await handler({
      method: req.method ?? 'GET',
      url: req.url ?? '/graphql',
      headers: { get: (key) => headerOf(req, key) },
      body,
      raw: req,
      context,
    });
    if (req.method === 'PUT' && init.status === 201 && typeof payload === 'string') reserve(payload, context);
    const streaming = payload !== null && typeof payload !== 'string';
    res.writeHead(init.status, {
      ...init.headers,
      ...(streaming ? { 'x-accel-buffering': 'no' } : {}),
    });
    if (!streaming) return void res.end(payload ?? undefined);
    await pipeEvents(payload, res, context.token);
  }

  function reserve(token: string, context: RequestContext) {
    const reservation: Reservation = { keyId: context.principal.keyId, running: 0 };
    reservations.set(token, reservation);
    // A reservation holds a stream in the handler until it is opened and closed: open and
    // close it ourselves when the client never comes back.
    reservation.expiry = setTimeout(() => {
      if (reservation.events) return;
      void handler({
        method: 'GET',
        url: '/graphql',
        headers: {
          get: (key) => (key === 'accept' ? 'text/event-stream' : key === TOKEN_HEADER_KEY ? token : null),
        },
        body: null,
        raw: undefined as unknown as IncomingMessage,
        context: { ...context, token },
      }).then(([events]) => {
        reservations.delete(token);
        if (events && typeof events !== 'string') return events.return(undefined);
      });
    }, reservationTimeoutMs);
    reservation.expiry.unref();
  }

  async function pipeEvents(
    events: AsyncGenerator<string, void, undefined>,
    res: ServerResponse,
    token?: string,
  ) {
    const reservation = token ? reservations.get(token) : undefined;
    if (reservation) {
      reservation.events = events;
      clearTimeout(reservation.expiry);
    }
    const stop = () => void events.return(undefined);
    res.once('close', stop);
    try {
      for await (const event of events) {
        if (!res.writable) break;
        if (!res.write(event)) await once(res, 'drain');
      }
    } finally {
      res.off('close', stop);
      if (token) reservations.delete(token);
      res.end();
    }
  }

  const running = () => [...reservations.values()].some((reservation) => reservation.running > 0);

  return {
    async handle(req, res, context) {
      const token = headerOf(req, TOKEN_HEADER_KEY) ?? undefined;
      await respond(req, res, { ...context, token });
    },
    async drain(timeoutMs) {
      const deadline = options.clock.now() + timeoutMs;
      while (running() && options.clock.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 50));
    },
    async close() {
      await Promise.all(
        [...reservations.values()].map((reservation) => {
          clearTimeout(reservation.expiry);
          return reservation.events?.return(undefined);
        }),
      );
    },
  };
}

const headerOf = (req: IncomingMessage, key: string): string | null => {
  const value = req.headers[key.toLowerCase()];
  return Array.isArray(value) ? value.join(', ') : (value ?? null);
};
