/**
 * Turns the Reflector's transitions into lifecycle events (`reflectorEvents.ts`). `listWatch`
 * drives it from the one place the state machine moves (`followPhases` over its steps): every
 * transition, every event that passes, every report and the end of the stream. The rules that
 * pick the next state stay in `failures.ts`, `pacing.ts` and the phases; they only label their
 * choice (a relist reason, the error that ended a phase), and this file says it out loud.
 *
 * It exists only when someone listens (`onLifecycle`, a logger): without one, `listWatch` never
 * creates it and the pipeline has no extra operator.
 */
import type { SchedulerLike } from 'rxjs';
import { isResourceExpired, type KubeRxError, ShortWatchError } from '../core/errors.js';
import type { WatchEvent } from '../core/events.js';
import type { ListWatchErrorContext } from './listWatchOptions.js';
import { asKubeRxError, type ReflectorState } from './reflectorContext.js';
import type {
  BackoffEvent,
  LifecycleObserver,
  ReflectorEvent,
  ReflectorPhase,
  ReflectorStatus,
  WatchEndReason,
} from './reflectorEvents.js';

/** What `listWatch` tells the lifecycle. */
export interface ReflectorLifecycle {
  /** The machine enters `next`; `error` is what ended the phase it leaves, if anything did. */
  transition(next: ReflectorState, error: unknown): void;
  /** An event reaches the subscriber (`pages`: of the list behind a `REPLACE`). */
  emitted(event: WatchEvent<unknown>, pages: number | undefined): void;
  /** A non-fatal error was reported. */
  reported(error: KubeRxError, context: ListWatchErrorContext): void;
  /** The stream ended: unsubscribed, or failed for good with `error`. */
  stopped(error?: unknown): void;
}

/** An event without what every event carries, which `tell` adds. */
type Payload = ReflectorEvent extends infer E
  ? E extends unknown
    ? Omit<E, 'resource' | 'at'>
    : never
  : never;

function endReason(error: unknown): WatchEndReason {
  if (error === undefined || error instanceof ShortWatchError) return 'closed';
  return isResourceExpired(error) ? 'expired' : 'error';
}

/** Creates the lifecycle of one subscription of `resource`, telling `observer`. */
export function reflectorLifecycle(
  resource: string,
  scheduler: SchedulerLike,
  observer: LifecycleObserver,
): ReflectorLifecycle {
  let phase: ReflectorPhase = 'list';
  let phaseStartedAt = scheduler.now();
  let resourceVersion = '';
  let lastEventAt: number | undefined;
  let synced = false;

  const tell = (payload: Payload, at = scheduler.now()) => {
    const status: ReflectorStatus = { resource, phase, resourceVersion, lastEventAt, synced };
    observer({ ...payload, resource, at } as ReflectorEvent, status);
  };

  const startWatch = (at: number, from: string) => {
    phase = 'watch';
    phaseStartedAt = at;
    resourceVersion = from;
    tell({ type: 'watchStarted', resourceVersion: from }, at);
  };

  return {
    transition(next, error) {
      const at = scheduler.now();
      if (phase === 'watch') {
        const ended = endReason(error);
        const failure = error === undefined ? {} : { error: asKubeRxError(error) };
        tell({ type: 'watchEnded', reason: ended, durationMs: at - phaseStartedAt, ...failure }, at);
      }
      const target = next.phase === 'backoff' ? next.resume : next;
      // A relist is told where it is decided; the list after its backoff is not a second one.
      if (phase !== 'backoff' && target.phase !== 'watch' && target.phase !== 'backoff' && target.reason)
        tell({ type: 'relist', reason: target.reason }, at);
      phaseStartedAt = at;
      switch (next.phase) {
        case 'backoff':
          phase = 'backoff';
          tell(
            { type: 'backoff', delayMs: next.delayMs, next: next.resume.phase as BackoffEvent['next'] },
            at,
          );
          return;
        case 'list':
          phase = 'list';
          tell({ type: 'listStarted', mode: next.unpaginated ? 'unpaginated' : 'paginated' }, at);
          return;
        case 'streamingList':
          phase = 'streamingList';
          tell({ type: 'listStarted', mode: 'streaming' }, at);
          return;
        case 'watch':
          startWatch(at, next.resourceVersion);
      }
    },

    emitted(event, pages) {
      const at = scheduler.now();
      switch (event.type) {
        case 'REPLACE': {
          synced = true;
          resourceVersion = event.resourceVersion;
          lastEventAt = at;
          tell(
            {
              type: 'listFinished',
              pages: pages ?? 0,
              objects: event.objects.length,
              durationMs: at - phaseStartedAt,
              resourceVersion: event.resourceVersion,
            },
            at,
          );
          // A streaming list goes on as the watch, on the same request.
          if (phase === 'streamingList') startWatch(at, event.resourceVersion);
          return;
        }
        case 'BOOKMARK':
          resourceVersion = event.resourceVersion;
          lastEventAt = at;
          tell({ type: 'bookmark', resourceVersion: event.resourceVersion }, at);
          return;
        case 'ADDED':
        case 'MODIFIED':
        case 'DELETED': {
          const objectRv = (event.object as { metadata?: { resourceVersion?: string } }).metadata
            ?.resourceVersion;
          if (objectRv !== undefined) resourceVersion = objectRv;
          lastEventAt = at;
          tell({ type: 'event', eventType: event.type, resourceVersion: objectRv }, at);
          return;
        }
        default:
      }
    },

    reported(error, context) {
      tell({ type: 'error', error, context });
    },

    stopped(error) {
      phase = 'stopped';
      tell(error === undefined ? { type: 'stopped' } : { type: 'stopped', error });
    },
  };
}
