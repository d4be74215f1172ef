/**
 * Stuck for good (issue 14): failures that used to leave the informer running with a stale cache.
 * A watch failing forever at the listed resourceVersion (500s, resets) leads to a relist, and one
 * streaming list cut short is retried as a streaming list rather than turning them off for good.
 * Watch sockets enable TCP keepalive, so the kernel notices a peer that is gone.
 */
import { Socket } from 'node:net';
import { expect, vi } from 'vitest';
import { resources } from '../../../src/core/resources.js';
import { kubeClient, watchIdleTimeoutFor } from '../../../src/transport/kubeClient.js';
import type { InformerCase, StandaloneCase } from '../support/adversarialCase.js';
import { describeCases } from '../support/assertions.js';
import { startHostileServer } from '../support/hostileServer.js';
import { added, initialEventsEnd, pod, pods } from '../support/objects.js';
import { okList, sequence, status, watchLines } from '../support/recipes.js';

const listed = pods(3);
/** What the server holds by the time a relist comes: the first list's objects are stale. */
const newer = [pod('pod-0', '20'), pod('fresh', '21')];

export const watch500ForeverAtListedVersion: InformerCase = {
  name: 'a watch failing with 500 at the listed resourceVersion, every time, leads to a relist',
  defectClass: 'stuck',
  server: {
    list: sequence(okList(listed, '3'), okList(newer, '21')),
    watch: (_n, q) =>
      q.resourceVersion === '3' ? status(500, 'InternalError', 'storage error') : watchLines([], 'hang'),
    valid: newer,
  },
  runMs: 2500,
};

export const watchResetForeverAtListedVersion: InformerCase = {
  name: 'a watch reset at the listed resourceVersion, every time, leads to a relist',
  defectClass: 'stuck',
  server: {
    list: sequence(okList(listed, '3'), okList(newer, '21')),
    watch: (_n, q) => watchLines([], q.resourceVersion === '3' ? 'reset' : 'hang'),
    valid: newer,
  },
  runMs: 2500,
};

export const interruptedStreamingListStaysStreaming: InformerCase = {
  name: 'one streaming list closed before its end bookmark does not turn streaming lists off for good',
  defectClass: 'stuck',
  informer: { listMode: 'streaming' },
  server: {
    list: okList(listed, '3'),
    watch: (n, q) => {
      if (!q.sendInitialEvents) return watchLines([], 'hang');
      // The first stream delivers part of the initial state, then the server restarts.
      if (n === 0) return watchLines([added(listed[0])], 'end', { endAfterMs: 20 });
      return watchLines([...listed.map(added), initialEventsEnd('3')], 'hang');
    },
    valid: listed,
  },
  check: (run) => expect(run.server.requestsOf('list')).toHaveLength(0),
};

export const watchSocketsUseTcpKeepalive: StandaloneCase = {
  name: 'watch connections enable TCP keepalive, so the kernel notices a dead peer',
  defectClass: 'stuck',
  run: async () => {
    const server = await startHostileServer({ list: okList([], '1'), watch: watchLines([], 'hang') });
    const keepalive = vi.spyOn(Socket.prototype, 'setKeepAlive');
    try {
      const watch = kubeClient(server.kubeConfig)
        .watch(resources.pods, { resourceVersion: '1' })
        .subscribe({ error: () => {} });
      await vi.waitFor(() => expect(server.requestsOf('watch')).toHaveLength(1));
      watch.unsubscribe();
      // 30 s idle, then libuv's 10 probes 1 s apart: a dead peer fails the socket in about 40 s.
      expect(keepalive.mock.calls.some(([enable, delay]) => enable === true && (delay ?? 0) <= 30_000)).toBe(
        true,
      );
    } finally {
      keepalive.mockRestore();
      await server.close();
    }
  },
};

/**
 * A watch that asks for bookmarks (the Reflector's always do) and then falls silent is given up
 * after the bookmark period plus the server's own 15 s margin, whatever its timeoutSeconds: not the
 * 5.5 to 10.5 minutes of timeout + 30 s. Not 60 s: kube-apiserver's idle-watch bookmarks come about
 * every 60-62 s, so a 60 s watchdog would end every quiet watch just before its bookmark
 * (src/transport/clientOptions.ts says more). A dead peer is noticed sooner, by keepalive (above).
 */
export const silentBookmarkWatchGivenUpWithin75s: StandaloneCase = {
  name: 'with default options a silent bookmark watch is given up within 75 s, whatever its timeoutSeconds',
  defectClass: 'stuck',
  run: () => {
    for (const timeoutSeconds of [undefined, 300, 600])
      expect(
        watchIdleTimeoutFor({}, { timeoutSeconds, allowWatchBookmarks: true }),
        `timeoutSeconds ${timeoutSeconds}`,
      ).toBeLessThanOrEqual(75_000);
  },
};

describeCases('stuck for good: a stale cache finds its way back', [
  silentBookmarkWatchGivenUpWithin75s,
  watch500ForeverAtListedVersion,
  watchResetForeverAtListedVersion,
  interruptedStreamingListStaysStreaming,
  watchSocketsUseTcpKeepalive,
]);
