/**
 * The Reflector's log lines, written from its lifecycle: the logger is one more lifecycle
 * observer, so the logs say what the metrics and the status line count. Levels follow client-go's
 * reflector and klog: starts and backoffs are detail (debug), a finished list and a relist are
 * news (info), an error the reflector retries is a warning, a stream that ends on an error is an
 * error. Object events and bookmarks are not logged (one line per event would drown the rest; the
 * `kube_rx_reflector_events_total` metric counts them). Every line carries `resource`, and `key`
 * when it is about one object; errors appear as their (redacted) message, never as objects.
 */
import { errorMessage, type LogFields, type Logger } from '../core/logger.js';
import type { LifecycleObserver, ReflectorEvent } from './reflectorEvents.js';

/** The level, message and fields of an event's line; undefined for events that are not logged. */
function lineOf(event: ReflectorEvent): [keyof Logger, string, LogFields] | undefined {
  const resource = event.resource;
  switch (event.type) {
    case 'listStarted':
      return ['debug', 'list started', { resource, mode: event.mode }];
    case 'listFinished':
      return [
        'info',
        'list finished',
        {
          resource,
          objects: event.objects,
          pages: event.pages,
          durationMs: event.durationMs,
          resourceVersion: event.resourceVersion,
        },
      ];
    case 'watchStarted':
      return ['debug', 'watch started', { resource, resourceVersion: event.resourceVersion }];
    case 'watchEnded':
      return [
        event.reason === 'closed' ? 'debug' : 'info',
        'watch ended',
        {
          resource,
          reason: event.reason,
          durationMs: event.durationMs,
          ...(event.error ? { error: event.error.message } : {}),
        },
      ];
    case 'relist':
      return ['info', 'relist', { resource, reason: event.reason }];
    case 'error': {
      const { phase, key, relist, retryInMs } = event.context;
      return [
        'warn',
        'reflector error',
        {
          resource,
          ...(key === undefined ? {} : { key }),
          phase,
          relist,
          ...(retryInMs === undefined ? {} : { retryInMs }),
          error: event.error.message,
        },
      ];
    }
    case 'backoff':
      return ['debug', 'backoff', { resource, delayMs: event.delayMs, next: event.next }];
    case 'stopped':
      return event.error === undefined
        ? ['debug', 'reflector stopped', { resource }]
        : ['error', 'reflector stopped on an error', { resource, error: errorMessage(event.error) }];
    default:
      return undefined;
  }
}

/** A lifecycle observer that logs to `logger`. */
export function lifecycleLogger(logger: Logger): LifecycleObserver {
  return (event) => {
    const line = lineOf(event);
    if (line) logger[line[0]](line[2], line[1]);
  };
}

/** One observer for the `onLifecycle` and `logger` options; undefined when neither is given. */
export function lifecycleObserver(
  onLifecycle: LifecycleObserver | undefined,
  logger: Logger | undefined,
): LifecycleObserver | undefined {
  if (!logger) return onLifecycle;
  const log = lifecycleLogger(logger);
  if (!onLifecycle) return log;
  return (event, status) => {
    log(event, status);
    onLifecycle(event, status);
  };
}
