/**
 * The `kube-rx` executable: `kube-rx watch <resource> [-n ns] [-l selector] [--index name=path]`.
 * Ctrl-C (SIGINT) and SIGTERM stop the watch and print the final status.
 *
 * Layer `cli`: the `kube-rx` command; the top of the stack. May import: `core`, `store`, `transport`,
 * `sources`, `operators`, `workqueue`, `api`, `runtime`, `testing`.
 */
import { runCli } from './run.js';

const controller = new AbortController();
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => controller.abort());
// `kube-rx watch pods | head` closes stdout early: stop quietly instead of crashing on EPIPE.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') controller.abort();
  else throw error;
});

runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  signal: controller.signal,
}).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(
      `kube-rx: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = 1;
  },
);
