/**
 * Failures that end `kube-rx watch` with exit code 1 and a one-line reason on stderr, like
 * kubectl's `error: ...`: the kubeconfig cannot be used, the server cannot be reached, rejects the
 * credentials or the request. Usage errors (exit 2) are {@link UsageError}s instead.
 */

/** Ends the run with exit code 1; the message is the one line printed after `kube-rx: `. */
export class CliFailure extends Error {
  override readonly name = 'CliFailure';
  constructor(message: string, options?: { cause?: unknown }) {
    // One line: a reason split over lines would interleave with the rows of a live terminal.
    super(message.replace(/\s*\n\s*/g, ' ').trim(), options);
  }
}
