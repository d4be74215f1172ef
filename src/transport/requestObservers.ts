/**
 * The observers of a client's requests: the `onRequest` option, and those added later through
 * `observeRequests` (a manager wiring `rest_client_*` metrics to the client it was given). One
 * dispatcher goes into the connection, so every request (lists, writes, retries, watches) reaches
 * every observer; an observer that throws cannot fail a request.
 */
import type { RequestObserver, RequestReport } from '../core/requestReport.js';

/** The dispatcher for the connection and the way to add observers. */
export interface RequestObservers {
  /** Tells every observer about one request. */
  readonly observe: RequestObserver;
  /** Adds an observer; the returned function removes it. */
  add(observer: RequestObserver): () => void;
}

/** Observers starting with `initial` (the `onRequest` option), if given. */
export function requestObservers(initial?: RequestObserver): RequestObservers {
  const observers = new Set<RequestObserver>(initial ? [initial] : []);
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
