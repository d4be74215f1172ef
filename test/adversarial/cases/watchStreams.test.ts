/**
 * What arrives on a watch stream, byte by byte: lines split anywhere (mid-JSON, mid-character),
 * several lines per chunk, keep-alive blank lines, lines that are not JSON or not watch events,
 * objects the cache cannot key, and streaming lists (KEP-3157). A bad line costs a re-watch from
 * the last good resourceVersion; a bad object is skipped and reported; nothing costs a relist.
 */
import { expect } from 'vitest';
import { InvalidObjectError, WatchProtocolError } from '../../../src/core/errors.js';
import type { AdversarialCase } from '../support/adversarialCase.js';
import { describeCases } from '../support/assertions.js';
import { added, deleted, initialEventsEnd, modified, pod, pods } from '../support/objects.js';
import { chunks, okList, sequence, watchLines } from '../support/recipes.js';
import type { InformerRun } from '../support/runInformer.js';

const listed = pods(3);
const a = pod('a', '11');
const b = pod('b', '12');
const quietWatch = watchLines([], 'hang');
const line = (event: object) => `${JSON.stringify(event)}\n`;

const watchVersions = (run: InformerRun) =>
  run.server.requestsOf('watch').map((r) => r.query.resourceVersion);
const reportedKinds = (run: InformerRun) => run.reported.map((r) => r.error.name);

/** One list, then a first watch answering `first`, then quiet watches. */
function afterList(first: ReturnType<typeof watchLines>) {
  return { list: okList(listed, '3'), watch: sequence(first, quietWatch) };
}

export const watchStreamCases: AdversarialCase[] = [
  {
    name: 'events split into three chunks mid-JSON are reassembled',
    defectClass: 'ordinary',
    server: {
      ...afterList(
        chunks(
          [line(added(a)), line(added(b))].flatMap((l) => [l.slice(0, 7), l.slice(7, 40), l.slice(40)]),
          'hang',
          { afterMs: 5 },
        ),
      ),
      valid: [...listed, a, b],
    },
    check: (run) => expect(run.reported).toEqual([]),
  },
  {
    name: 'an event sent one byte per chunk is reassembled',
    defectClass: 'ordinary',
    server: { ...afterList(chunks([...line(added(a))], 'hang', { afterMs: 1 })), valid: [...listed, a] },
    check: (run) => expect(run.reported).toEqual([]),
  },
  {
    name: 'a chunk boundary inside a multi-byte UTF-8 character does not corrupt the text',
    defectClass: 'ordinary',
    server: (() => {
      const accented = pod('a', '11', { annotations: { note: 'grüße ✓ 日本' } });
      const bytes = Buffer.from(line(added(accented)));
      const cut = bytes.indexOf(Buffer.from('✓')) + 1;
      return {
        ...afterList(chunks([bytes.subarray(0, cut), bytes.subarray(cut)], 'hang', { afterMs: 5 })),
        valid: [...listed, accented],
      };
    })(),
    check: (run) => expect(run.snapshot.get('default/a')?.metadata?.annotations?.note).toBe('grüße ✓ 日本'),
  },
  {
    name: 'several events in one chunk are all applied, in order',
    defectClass: 'ordinary',
    server: {
      ...afterList(chunks([line(added(a)) + line(added(b)) + line(deleted(pod('pod-0', '13')))], 'hang')),
      valid: [...listed.slice(1), a, b],
    },
  },
  {
    name: 'blank keep-alive lines and CRLF line ends are tolerated',
    defectClass: 'ordinary',
    server: {
      ...afterList(chunks(['\n', '\r\n', `${JSON.stringify(added(a))}\r\n`, '\n\n'], 'hang')),
      valid: [...listed, a],
    },
    check: (run) => expect(run.reported).toEqual([]),
  },
  {
    name: 'a last line without a newline is applied when the server ends the stream',
    defectClass: 'ordinary',
    informer: { minWatchDurationMs: 100 },
    server: {
      ...afterList(chunks([JSON.stringify(added(a))], 'end', { endAfterMs: 20 })),
      valid: [...listed, a],
    },
    check: (run) => expect(watchVersions(run).slice(0, 2)).toEqual(['3', '11']),
  },
  {
    name: 'a malformed JSON line is reported and the watch restarts from the last good resourceVersion',
    defectClass: 'ordinary',
    server: {
      list: okList(listed, '3'),
      watch: sequence(
        watchLines([added(a), '{"type":"ADDED","object":{"metadata":'], 'hang'),
        watchLines([added(b)], 'hang'),
      ),
      valid: [...listed, a, b],
    },
    check: (run) => {
      expect(run.reported.some((r) => r.error instanceof WatchProtocolError)).toBe(true);
      expect(watchVersions(run)).toEqual(['3', '11']);
      expect(run.server.requestsOf('list')).toHaveLength(1);
    },
  },
  {
    name: 'lines that are JSON but not watch events are reported, each costing one re-watch',
    defectClass: 'ordinary',
    server: {
      list: okList(listed, '3'),
      watch: sequence(
        watchLines(['[1,2,3]'], 'hang'),
        watchLines(['"just a string"'], 'hang'),
        watchLines(['{"kind":"Pod","metadata":{"name":"x"}}'], 'hang'),
        watchLines(['null'], 'hang'),
        watchLines([added(a)], 'hang'),
      ),
      valid: [...listed, a],
    },
    check: (run) => {
      expect(reportedKinds(run).filter((n) => n === 'WatchProtocolError')).toHaveLength(4);
      expect(run.server.requestsOf('watch')).toHaveLength(5);
    },
  },
  {
    name: 'a watch reset in the middle of an event is re-watched; the partial event is dropped',
    defectClass: 'ordinary',
    server: {
      list: okList(listed, '3'),
      watch: sequence(
        chunks([line(added(a)), line(added(b)).slice(0, 30)], 'reset', { afterMs: 5 }),
        quietWatch,
      ),
      valid: [...listed, a],
    },
    check: (run) => expect(watchVersions(run)).toEqual(['3', '11']),
  },
  {
    name: 'an unknown event type is reported and skipped; the stream goes on',
    defectClass: 'ordinary',
    server: {
      ...afterList(watchLines([{ type: 'SPLORT', object: pod('x', '10') }, added(a)], 'hang')),
      valid: [...listed, a],
    },
    check: (run) => {
      expect(reportedKinds(run)).toEqual(['WatchProtocolError']);
      expect(run.server.requestsOf('watch')).toHaveLength(1);
    },
  },
  {
    name: 'objects without a usable name (none, empty, a number, null, an array) are reported and skipped',
    defectClass: 'ordinary',
    server: {
      ...afterList(
        watchLines(
          [
            added({ kind: 'Pod', metadata: { namespace: 'default', resourceVersion: '9' } }),
            added(pod('', '9')),
            added({ metadata: { name: 7, resourceVersion: '9' } }),
            added(null),
            added([pod('arr', '9')]),
            added({ metadata: 'not an object' }),
            added(a),
          ],
          'hang',
        ),
      ),
      valid: [...listed, a],
    },
    check: (run) => {
      expect(run.reported.filter((r) => r.error instanceof InvalidObjectError)).toHaveLength(6);
      expect(run.server.requestsOf('watch')).toHaveLength(1);
    },
  },
  {
    name: 'a bookmark without a string resourceVersion is reported and skipped',
    defectClass: 'ordinary',
    server: {
      ...afterList(
        watchLines(
          [
            { type: 'BOOKMARK', object: { metadata: { resourceVersion: 42 } } },
            { type: 'BOOKMARK' },
            added(a),
          ],
          'hang',
        ),
      ),
      valid: [...listed, a],
    },
    check: (run) => expect(reportedKinds(run)).toEqual(['WatchProtocolError', 'WatchProtocolError']),
  },
  {
    name: 'a duplicate event at the cached resourceVersion and a delete of an unknown object change nothing',
    defectClass: 'ordinary',
    server: {
      ...afterList(watchLines([added(listed[0]), modified(listed[1]), deleted(pod('ghost', '14'))], 'hang')),
      valid: listed,
    },
  },
  {
    name: 'a streaming list (sendInitialEvents) syncs from one watch, with no LIST request',
    defectClass: 'ordinary',
    informer: { listMode: 'streaming' },
    server: {
      list: okList([], '1'),
      watch: (_n, q) =>
        q.sendInitialEvents
          ? watchLines([...listed.map(added), initialEventsEnd('3'), added(a)], 'hang')
          : quietWatch,
      valid: [...listed, a],
    },
    check: (run) => {
      expect(run.server.requestsOf('list')).toHaveLength(0);
      expect(run.server.requestsOf('watch')[0]?.query).toMatchObject({
        sendInitialEvents: true,
        resourceVersionMatch: 'NotOlderThan',
      });
    },
  },
  {
    name: "a server that ignores sendInitialEvents ('auto' mode) is met with a paginated list",
    defectClass: 'ordinary',
    informer: { listMode: 'auto', watchTimeoutSeconds: 1 },
    server: {
      list: okList(listed, '3'),
      // Such a server treats the request as a plain watch from "any" resourceVersion: the objects
      // as ADDED events, never the end bookmark, until the timeout closes the stream.
      watch: (_n, q) =>
        q.sendInitialEvents
          ? watchLines(listed.map(added), 'end', { endAfterMs: (q.timeoutSeconds ?? 1) * 1000 })
          : quietWatch,
      valid: listed,
    },
    runMs: 2000,
    check: (run) => {
      expect(run.server.requestsOf('list')).toHaveLength(1);
      expect(run.server.requestsOf('watch').at(-1)?.query.sendInitialEvents).toBe(false);
    },
  },
];

describeCases('watch streams: bad bytes cost a re-watch, never the cache', watchStreamCases);
