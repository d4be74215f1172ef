/**
 * A `KubeClient` wrapper that writes down when each list page and each watch is sent (a watch when
 * it is subscribed, which is when its request goes out), so a test can bound the request rate of a
 * reflector over real time: a relist or re-watch storm shows as many requests in one window.
 */
import { defer } from 'rxjs';
import type { KubeClient } from '../../src/core/client.js';

export interface TimedClient {
  readonly client: KubeClient;
  /** `performance.now()` of every list page and watch request, in order. */
  readonly times: number[];
}

/** Wraps `inner`; only lists and watches are timed (the reflector's requests). */
export function timedClient(inner: KubeClient): TimedClient {
  const times: number[] = [];
  const client: KubeClient = {
    ...inner,
    list: (resource, options, signal) => {
      times.push(performance.now());
      return inner.list(resource, options, signal);
    },
    watch: (resource, options) =>
      defer(() => {
        times.push(performance.now());
        return inner.watch(resource, options);
      }),
  };
  return { client, times };
}

/** The most requests among `times` (ascending) that fall in any window of `windowMs`. */
export function mostInWindow(times: readonly number[], windowMs: number): number {
  let most = 0;
  let first = 0;
  for (let last = 0; last < times.length; last++) {
    while ((times[last] as number) - (times[first] as number) >= windowMs) first++;
    most = Math.max(most, last - first + 1);
  }
  return most;
}
