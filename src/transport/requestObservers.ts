/**
 * The observers of a client's requests: the `onRequest` option, the `logger` option (a debug line
 * per request) and those added later through `observeRequests` (a manager wiring `rest_client_*`
 * metrics to the client it was given). One dispatcher goes into the connection, so every request
 * (lists, writes, retries, watches) reaches every observer; an observer that throws cannot fail a
 * request.
 */
import type { Logger } from '../core/logger.js';
import type { RequestObserver, RequestReport } from '../core/requestReport.js';

/** The dispatcher for the connection and the way to add observers. */
export interface RequestObservers {
  /** Tells every observer about one request. */
  readonly observe: RequestObserver;
  /** Adds an observer; the returned function removes it. */
  add(observer: RequestObserver): () => void;
}

/**
 * A debug line per request, as client-go logs its requests at high verbosity: method, host, path
 * (without its query), status and duration. Never a header.
 */
export function requestLogger(logger: Logger): RequestObserver {
  return (report) =>
    logger.debug(
      {
        method: report.method,
        host: report.host,
        path: report.path,
        code: report.code,
        durationMs: report.durationMs,
        ...(report.watch ? { watch: true } : {}),
      },
      'request',
    );
}

/** Observers starting with `initial` (the `onRequest` option) and a `logger`'s, if given. */
export function requestObservers(initial?: RequestObserver, logger?: Logger): RequestObservers {
  const observers = new Set<RequestObserver>();
  if (initial) observers.add(initial);
  if (logger) observers.add(requestLogger(logger));
  return {
    observe(report: RequestReport) {
      for (const observer of observers) {
        try {
          observer(report);
        } catch {
          // Metrics and logs must not break the request they describe.
        }
      }
    },
    add(observer) {
      // A wrapper, so the same function added twice is two observers, each removed on its own.
      const entry: RequestObserver = (report) => observer(report);
      observers.add(entry);
      return () => void observers.delete(entry);
    },
  };
}
