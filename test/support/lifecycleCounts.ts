/**
 * What the reflector did, counted from its lifecycle (`onLifecycle`) instead of by wrapping the
 * client: lists started (one per list or relist), pages listed (of the lists that finished) and
 * watch requests (every `watchStarted`, and a streaming list's own request).
 */
import type { LifecycleObserver } from '../../src/sources/reflectorEvents.js';

/** Counts so far; the object is live, read it at any time. */
export interface LifecycleCounts {
  lists: number;
  pages: number;
  watches: number;
}

/** An `onLifecycle` observer and the counts it keeps. */
export function lifecycleCounts(): {
  readonly counts: LifecycleCounts;
  readonly onLifecycle: LifecycleObserver;
} {
  const counts: LifecycleCounts = { lists: 0, pages: 0, watches: 0 };
  let streaming = false;
  const onLifecycle: LifecycleObserver = (event) => {
    switch (event.type) {
      case 'listStarted':
        counts.lists++;
        streaming = event.mode === 'streaming';
        if (streaming) counts.watches++;
        return;
      case 'listFinished':
        counts.pages += event.pages;
        return;
      case 'watchStarted':
        // A streaming list goes on as the watch on its own request.
        if (!streaming) counts.watches++;
        streaming = false;
        return;
      default:
    }
  };
  return { counts, onLifecycle };
}
