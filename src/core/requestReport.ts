/**
 * What a transport tells about each HTTP request it sends, for client-go's `rest_client_*` metrics
 * and for debug logs: the method, the API server's host, the path, the status code and the time.
 * Every request counts, watches and retries included. A transport that can report them lets
 * observers join after it is built (`observeRequests`), so a manager can wire metrics to the
 * client it was given.
 */

/** One HTTP request, as it ended. */
export interface RequestReport {
  /** The HTTP method (`GET`, `POST`, ...): client-go's `method` and `verb` labels. */
  readonly method: string;
  /** The API server's host and port, as in its URL (`10.0.0.1:6443`); `none` when unknown. */
  readonly host: string;
  /** The path without its query, e.g. `/api/v1/namespaces/default/pods`. */
  readonly path: string;
  /** The HTTP status code, or `<error>` when no response came (client-go's convention). */
  readonly code: string;
  /** From sending to the end of the body; for a watch, to its response headers. */
  readonly durationMs: number;
  /** A watch request (its duration stops at the headers). */
  readonly watch: boolean;
}

/** Receives every request a transport sends. Called synchronously: keep it cheap, do not throw. */
export type RequestObserver = (report: RequestReport) => void;

/** A client whose requests can be observed (`kubeClient`'s can; an in-memory fake cannot). */
export interface RequestReporting {
  /** Adds an observer of every request from now on; the returned function removes it. */
  observeRequests(observer: RequestObserver): () => void;
}

/**
 * True when `client` reports its requests.
 *
 * @example
 * ```ts
 * if (reportsRequests(client)) client.observeRequests((r) => console.log(r.method, r.path, r.code));
 * ```
 */
export function reportsRequests<C extends object>(client: C): client is C & RequestReporting {
  return typeof (client as Partial<RequestReporting>).observeRequests === 'function';
}
