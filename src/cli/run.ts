/**
 * `runCli`: the `kube-rx` command line without the process around it (arguments, output streams
 * and the abort signal come in; the exit code goes out), so tests run it in-process.
 */
import packageJson from '../../package.json' with { type: 'json' };
import { parseCliArgs, USAGE, UsageError } from './args.js';
import type { Output } from './screen.js';
import { watchCommand } from './watch.js';

/** Streams and signals of one CLI run (the process's, or a test's). */
export interface CliIo {
  readonly stdout: Output;
  readonly stderr: Output;
  /** Aborting it stops the watch like Ctrl-C. */
  readonly signal?: AbortSignal;
  /** Overrides whether the status line is drawn in place (default: `stdout.isTTY`). */
  readonly live?: boolean;
  /** Where `KUBECONFIG` and `HOME` are read (default: `process.env`). */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/**
 * Runs `kube-rx` with the given arguments and returns the exit code (0 ok, 1 failure, 2 usage).
 *
 * @example
 * ```ts
 * const code = await runCli(['watch', 'pods', '--duration', '5'], { stdout: process.stdout, stderr: process.stderr });
 * ```
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let args: ReturnType<typeof parseCliArgs>;
  try {
    args = parseCliArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr.write(`kube-rx: ${error.message}\nRun 'kube-rx --help' for usage.\n`);
    return 2;
  }
  switch (args.command) {
    case 'help':
      io.stdout.write(USAGE);
      return 0;
    case 'version':
      io.stdout.write(`kube-rx ${packageJson.version}\n`);
      return 0;
    case 'watch':
      return watchCommand(args, io);
  }
}
