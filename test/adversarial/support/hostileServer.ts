/**
 * A hostile API server on loopback: each LIST and WATCH is answered by a function the test
 * scripts, so a case can play any server a real fleet produces (a buggy proxy, an aggregated API
 * server, a flaky load balancer). It speaks just enough of the Kubernetes REST API for
 * `kubeClient`: a GET with `watch=true` is a watch, any other GET a list, everything else goes to
 * `other`. It records every request (verb, query, bearer token, time) so a case can measure
 * request rates and check what the client sent, and it holds the "valid objects": what the
 * informer's cache should converge to.
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import type { KubeObject } from '../../../src/core/objects.js';
import type { Recipe, StreamRecipe } from './recipes.js';
import { TOKEN } from './secrets.js';

export type Verb = 'list' | 'watch' | 'other';

/** The query parameters a list or watch carries, parsed. */
export interface RequestQuery {
  readonly watch: boolean;
  readonly resourceVersion?: string;
  readonly resourceVersionMatch?: string;
  readonly continue?: string;
  readonly limit?: number;
  readonly allowWatchBookmarks: boolean;
  readonly sendInitialEvents: boolean;
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
  readonly timeoutSeconds?: number;
}

/** One request as the server saw it. */
export interface RecordedRequest {
  readonly verb: Verb;
  /** 0-based index among the requests of the same verb. */
  readonly n: number;
  readonly method: string;
  readonly path: string;
  readonly query: RequestQuery;
  /** The bearer token of the Authorization header, if any. */
  readonly token: string | undefined;
  /** The `Accept` header, if any. */
  readonly accept: string | undefined;
  /** Milliseconds since the server started (performance.now based). */
  readonly at: number;
}

/** Answers the `n`th request of a verb. */
export type Behaviour = (n: number, query: RequestQuery, request: RecordedRequest) => Recipe;

/** How a verb is answered: a behaviour, or one recipe for every request. */
export type Answer = Behaviour | Recipe;

export interface HostileServerOptions {
  readonly list: Answer;
  readonly watch: Answer;
  /** Writes, gets of one object, discovery. Default: 405. */
  readonly other?: Answer;
  /**
   * The objects a correct informer ends up caching. Leave it out for a server that never answers
   * a valid list: the cache must then stay empty and unsynced.
   */
  readonly valid?: readonly KubeObject[];
  /**
   * Requests answered before the server gives up (it answers 503 and resolves `capReached`), so a
   * request storm cannot burn the test machine. Default 5000.
   */
  readonly requestCap?: number;
}

export interface HostileServer {
  readonly url: string;
  /** A kubeconfig for this server: bearer {@link TOKEN}, `skipTLSVerify` as an http URL needs. */
  readonly kubeConfig: KubeConfig;
  readonly requests: readonly RecordedRequest[];
  /** Problems of the harness itself (a behaviour that threw); a correct case has none. */
  readonly faults: readonly string[];
  /** What the cache must converge to; `undefined`: nothing, the informer must not sync. */
  valid: readonly KubeObject[] | undefined;
  /** Resolves once `requestCap` requests have arrived. */
  readonly capReached: Promise<void>;
  requestsOf(verb: Verb): RecordedRequest[];
  close(): Promise<void>;
}

const flag = (value: string | null) => value === 'true' || value === '1';
const optional = (value: string | null) => value ?? undefined;
const numeric = (value: string | null) => (value === null ? undefined : Number(value));

function parseQuery(search: URLSearchParams): RequestQuery {
  return {
    watch: flag(search.get('watch')),
    resourceVersion: optional(search.get('resourceVersion')),
    resourceVersionMatch: optional(search.get('resourceVersionMatch')),
    continue: optional(search.get('continue')),
    limit: numeric(search.get('limit')),
    allowWatchBookmarks: flag(search.get('allowWatchBookmarks')),
    sendInitialEvents: flag(search.get('sendInitialEvents')),
    labelSelector: optional(search.get('labelSelector')),
    fieldSelector: optional(search.get('fieldSelector')),
    timeoutSeconds: numeric(search.get('timeoutSeconds')),
  };
}

function bearerToken(req: IncomingMessage): string | undefined {
  const match = /^Bearer (.*)$/.exec(req.headers.authorization ?? '');
  return match?.[1];
}

const methodNotAllowed: Behaviour = () => ({
  kind: 'body',
  status: 405,
  body: '{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"MethodNotAllowed","code":405}',
});

/** Starts a hostile server on 127.0.0.1 with a random port. Close it when the test ends. */
export async function startHostileServer(options: HostileServerOptions): Promise<HostileServer> {
  const started = performance.now();
  const requests: RecordedRequest[] = [];
  const faults: string[] = [];
  const counts: Record<Verb, number> = { list: 0, watch: 0, other: 0 };
  const timers = new Set<NodeJS.Timeout>();
  const cap = options.requestCap ?? 5000;
  let reachCap = () => {};
  const capReached = new Promise<void>((resolve) => {
    reachCap = resolve;
  });
  const behaviour = (answer: Answer): Behaviour => (typeof answer === 'function' ? answer : () => answer);
  const behaviours: Record<Verb, Behaviour> = {
    list: behaviour(options.list),
    watch: behaviour(options.watch),
    other: behaviour(options.other ?? methodNotAllowed),
  };

  /** setTimeout that does nothing once the response is closed, and is cleared when the server stops. */
  const later = (res: ServerResponse, ms: number, fn: () => void) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (!res.destroyed && !res.writableEnded) fn();
    }, ms);
    timers.add(timer);
  };

  const stream = (res: ServerResponse, recipe: StreamRecipe) => {
    res.writeHead(recipe.status, {
      'content-type': 'application/json',
      'transfer-encoding': 'chunked',
      ...recipe.headers,
    });
    // Like the API server: headers at once, clients wait for them before reading events.
    res.flushHeaders();
    const step = (i: number) => {
      const chunk = recipe.chunks[i];
      if (chunk === undefined) {
        later(res, recipe.endAfterMs ?? 0, () => {
          if (recipe.ending === 'end') res.end();
          else if (recipe.ending === 'reset') res.socket?.destroy();
          // 'hang': nothing more, the socket stays open (half-open from the client's view).
        });
        return;
      }
      later(res, chunk.afterMs ?? 0, () => {
        if (chunk.data.length > 0) res.write(chunk.data);
        step(i + 1);
      });
    };
    step(0);
  };

  const answer = (res: ServerResponse, recipe: Recipe) => {
    if (recipe.kind === 'stream') return stream(res, recipe);
    const body = typeof recipe.body === 'string' ? Buffer.from(recipe.body) : recipe.body;
    res.writeHead(recipe.status, {
      'content-type': 'application/json',
      'content-length': body.length,
      ...recipe.headers,
    });
    res.end(body);
  };

  const server = createServer((req, res) => {
    req.resume();
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const query = parseQuery(url.searchParams);
    const verb: Verb = req.method !== 'GET' ? 'other' : query.watch ? 'watch' : 'list';
    const n = counts[verb]++;
    const request: RecordedRequest = {
      verb,
      n,
      method: req.method ?? '',
      path: url.pathname,
      query,
      token: bearerToken(req),
      accept: req.headers.accept,
      at: performance.now() - started,
    };
    requests.push(request);
    if (requests.length >= cap) {
      reachCap();
      res.writeHead(503).end();
      return;
    }
    let recipe: Recipe;
    try {
      recipe = behaviours[verb](n, query, request);
    } catch (error) {
      faults.push(`${verb} #${n}: the behaviour threw ${String(error)}`);
      res.writeHead(500).end();
      return;
    }
    answer(res, recipe);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromOptions({
    clusters: [{ name: 'hostile', server: url, skipTLSVerify: true }],
    users: [{ name: 'u', token: TOKEN }],
    contexts: [{ name: 'hostile', cluster: 'hostile', user: 'u' }],
    currentContext: 'hostile',
  });

  return {
    url,
    kubeConfig,
    requests,
    faults,
    valid: options.valid,
    capReached,
    requestsOf: (verb) => requests.filter((r) => r.verb === verb),
    close: async () => {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
