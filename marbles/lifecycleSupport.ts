/**
 * Shared by the lifecycle marble tests: each `ReflectorEvent` as one short line, and the lifecycle
 * of a `listWatch` as an Observable of those lines (completing when the stream fails for good), so
 * a marble string can state the sequence in virtual time.
 */
import { Observable } from 'rxjs';
import {
  isStatusError,
  type KubeClient,
  type ListWatchOptions,
  listWatch,
  type ReflectorEvent,
  type ReflectorStatus,
  resources,
} from '../src/index.js';

/** One line per event: what happened, with the fields a reader checks. */
export function brief(event: ReflectorEvent): string {
  switch (event.type) {
    case 'listStarted':
      return `list ${event.mode}`;
    case 'listFinished':
      return `listed ${event.objects} in ${event.pages} pages, ${event.durationMs} ms, rv ${event.resourceVersion}`;
    case 'watchStarted':
      return `watch from ${event.resourceVersion}`;
    case 'watchEnded':
      return `watch ended: ${event.reason}${event.error ? ` (${failure(event.error)})` : ''} after ${event.durationMs} ms`;
    case 'relist':
      return `relist: ${event.reason}`;
    case 'bookmark':
      return `bookmark ${event.resourceVersion}`;
    case 'event':
      return `${event.eventType} ${event.resourceVersion}`;
    case 'error':
      return `error ${event.context.phase}: ${failure(event.error)}${event.context.key ? ` ${event.context.key}` : ''}`;
    case 'backoff':
      return `backoff ${event.delayMs} ms, then ${event.next}`;
    case 'stopped':
      return event.error === undefined ? 'stopped' : `stopped: ${failure(event.error)}`;
  }
}

function failure(error: unknown): string {
  if (isStatusError(error)) return `${error.code}`;
  return error instanceof Error ? error.name : String(error);
}

/** `listWatch`'s lifecycle as lines; completes when the stream errors (after its `stopped`). */
export function lifecycleLines(
  client: KubeClient,
  options: ListWatchOptions = {},
  statuses: ReflectorStatus[] = [],
): Observable<string> {
  return new Observable<string>((subscriber) =>
    listWatch(client, resources.pods, {
      random: () => 0,
      ...options,
      onLifecycle: (event, status) => {
        statuses.push(status);
        subscriber.next(brief(event));
      },
    }).subscribe({ error: () => subscriber.complete() }),
  );
}

/** Records `<time> <line>` for every lifecycle event, on the given clock. */
export function timeline(now: () => number) {
  const lines: string[] = [];
  const onLifecycle = (event: ReflectorEvent) => lines.push(`${now()} ${brief(event)}`);
  return { lines, onLifecycle };
}
