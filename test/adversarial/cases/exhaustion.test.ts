/**
 * Resource exhaustion (issue 14): a watch line that never ends is cut at the frame limit
 * (client-go caps a frame at 16 MiB) and the watch restarts; error bodies built to make an HTML
 * stripper quadratic do not block the event loop. These cases measure stalls: they run one at a
 * time.
 */
import type { InformerCase } from '../support/adversarialCase.js';
import { describeCases, expectNoLongStall } from '../support/assertions.js';
import { added, pod, pods } from '../support/objects.js';
import { chunks, okList, rawBody, sequence, watchLines } from '../support/recipes.js';

const listed = pods(3);
const a = pod('a', '11');
const MIB = 1024 * 1024;

export const endlessWatchLine: InformerCase = {
  name: 'a 20 MiB watch line without a newline is cut at the frame limit and the watch restarts',
  defectClass: 'exhaustion',
  server: {
    list: okList(listed, '3'),
    watch: sequence(
      chunks(
        [
          '{"type":"ADDED","object":{"metadata":{"name":"',
          ...Array.from({ length: 20 }, () => 'x'.repeat(MIB)),
        ],
        'hang',
      ),
      watchLines([added(a)], 'hang'),
    ),
    valid: [...listed, a],
  },
  runMs: 2000,
};

export const quadraticErrorBody: InformerCase = {
  name: "a list error body of 120k '<' does not block the event loop",
  defectClass: 'exhaustion',
  server: {
    list: sequence(rawBody(500, '<'.repeat(120_000), { 'content-type': 'text/html' }), okList(listed, '3')),
    watch: watchLines([], 'hang'),
    valid: listed,
  },
  check: (run) => expectNoLongStall(run),
};

export const unclosedScriptErrorBody: InformerCase = {
  name: "a watch error body of 20k unclosed '<script>' tags does not block the event loop",
  defectClass: 'exhaustion',
  server: {
    list: okList(listed, '3'),
    watch: sequence(
      rawBody(502, '<script>'.repeat(20_000), { 'content-type': 'text/html' }),
      watchLines([], 'hang'),
    ),
    valid: listed,
  },
  check: (run) => expectNoLongStall(run),
};

describeCases(
  'resource exhaustion: bounded frames, no quadratic stalls',
  [endlessWatchLine, quadraticErrorBody, unclosedScriptErrorBody],
  {
    sequential: true,
  },
);
