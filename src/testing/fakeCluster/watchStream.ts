/**
 * One watch on the fake cluster, independent of how it is delivered (in-process Observable or
 * chunked HTTP). It validates the request like the API server, replays the log from the requested
 * resourceVersion (or sends the initial state), then forwards live changes, periodic bookmarks and
 * closes at `timeoutSeconds`, all on the cluster's scheduler.
 */
import type { SchedulerAction, SchedulerLike, Subscription } from 'rxjs';
import type { RawWatchEvent, WatchOptions } from '../../core/client.js';
import { statusError } from '../../core/errors.js';
import { INITIAL_EVENTS_END_ANNOTATION } from '../../core/protocol.js';
import { apiVersionOf, type ResourceType } from '../../core/resources.js';
import { type ClusterState, objectFilter, resourceId, watchEventFor } from './clusterState.js';

/** Where a watch writes. */
export interface WatchOutput {
  event(event: RawWatchEvent): void;
  /** A line written verbatim (fault injection). */
  raw(line: string): void;
  end(): void;
}

/** A running watch, as the cluster's fault injection sees it. */
export interface ActiveWatch {
  injectRawLine(line: string): void;
  /** Ends the stream as if the server closed it. */
  drop(): void;
}

export interface WatchSettings {
  readonly scheduler: SchedulerLike;
  readonly bookmarkIntervalMs: number;
  readonly supportsStreamingLists: boolean;
}

/** Throws the API server's 422 for watch parameter combinations it rejects. */
function validate(options: WatchOptions, settings: WatchSettings): void {
  if (options.sendInitialEvents) {
    if (!settings.supportsStreamingLists) {
      throw statusError(
        422,
        'sendInitialEvents: Forbidden: sendInitialEvents is forbidden for watch unless the WatchList feature gate is enabled',
      );
    }
    if (options.resourceVersionMatch !== 'NotOlderThan') {
      throw statusError(
        422,
        'resourceVersionMatch: Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan',
      );
    }
    if (!options.allowWatchBookmarks)
      throw statusError(
        422,
        'allowWatchBookmarks: Forbidden: sendInitialEvents requires allowWatchBookmarks',
      );
  } else if (options.resourceVersionMatch) {
    throw statusError(
      422,
      'resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided',
    );
  }
}

/**
 * Starts a watch; throws a StatusError (before anything is written) for a bad request.
 * Returns the function that stops it.
 */
export function openWatch(
  state: ClusterState,
  resource: ResourceType,
  options: WatchOptions,
  settings: WatchSettings,
  output: WatchOutput,
  registry: Set<ActiveWatch>,
): () => void {
  validate(options, settings);
  state.collection(resource);
  const matches = objectFilter(resource, options);
  const bookmark = (annotations?: Record<string, string>): RawWatchEvent => ({
    type: 'BOOKMARK',
    object: {
      kind: resource.kind,
      apiVersion: apiVersionOf(resource),
      metadata: { resourceVersion: String(state.resourceVersion), ...(annotations ? { annotations } : {}) },
    },
  });

  let closed = false;
  const timers: Subscription[] = [];
  const active: ActiveWatch = {
    injectRawLine: (line) => output.raw(line),
    drop: () => stop(true),
  };
  const removeSink = state.addSink({
    resourceId: resourceId(resource),
    deliver: (entry) => {
      const event = watchEventFor(entry, matches);
      if (event) output.event(event);
    },
  });
  function stop(endOutput: boolean): void {
    if (closed) return;
    closed = true;
    removeSink();
    registry.delete(active);
    for (const timer of timers) timer.unsubscribe();
    if (endOutput) output.end();
  }
  registry.add(active);

  const rv = options.resourceVersion;
  if (options.sendInitialEvents || !rv || rv === '0') {
    for (const object of state.currentObjects(resource, matches)) output.event({ type: 'ADDED', object });
    if (options.sendInitialEvents) output.event(bookmark({ [INITIAL_EVENTS_END_ANNOTATION]: 'true' }));
  } else {
    const since = Number(rv);
    const entries = Number.isInteger(since) ? state.eventsSince(resource, since) : undefined;
    if (entries === undefined) {
      // The watch cache answers an expired resourceVersion with an in-stream 410, then closes.
      output.event({
        type: 'ERROR',
        object: statusError(410, `too old resource version: ${rv} (${state.oldestWatchableRv})`).status,
      });
      stop(true);
      return () => stop(false);
    }
    for (const entry of entries) {
      const event = watchEventFor(entry, matches);
      if (event) output.event(event);
    }
  }
  if (closed) return () => stop(false);

  if (options.allowWatchBookmarks && settings.bookmarkIntervalMs > 0) {
    timers.push(
      settings.scheduler.schedule(function (this: SchedulerAction<unknown>) {
        if (closed) return;
        output.event(bookmark());
        this.schedule(undefined, settings.bookmarkIntervalMs);
      }, settings.bookmarkIntervalMs),
    );
  }
  if (options.timeoutSeconds && options.timeoutSeconds > 0) {
    timers.push(settings.scheduler.schedule(() => stop(true), options.timeoutSeconds * 1000));
  }
  return () => stop(false);
}
