/**
 * The output of a child process a test drives (the example operator, run as a process): its stdout
 * lines as they come, its stderr, its exit, and a wait for a line matching a pattern that fails with
 * what the process printed when the line never comes or the process exits first.
 */
import type { ChildProcess } from 'node:child_process';

export interface ProcessOutput {
  /** Non-empty stdout lines so far. */
  readonly lines: string[];
  /** Everything on stderr so far. */
  stderr(): string;
  /** The exit code (null when ended by a signal). */
  readonly exited: Promise<number | null>;
  /** The first line matching `pattern`, waiting up to `timeoutMs`; `what` names it in the error. */
  line(pattern: RegExp, options?: { timeoutMs?: number; what?: string }): Promise<string>;
}

export function processOutput(child: ChildProcess): ProcessOutput {
  const lines: string[] = [];
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    lines.push(...chunk.split('\n').filter((l) => l !== ''));
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  return {
    lines,
    stderr: () => stderr,
    exited,
    async line(pattern, { timeoutMs = 30_000, what = String(pattern) } = {}) {
      const end = Date.now() + timeoutMs;
      for (;;) {
        const found = lines.find((l) => pattern.test(l));
        if (found) return found;
        if (Date.now() > end || child.exitCode !== null || child.signalCode !== null)
          throw new Error(
            `no line ${what} (exit ${child.exitCode}) in ${JSON.stringify(lines)}; stderr: ${stderr}`,
          );
        await new Promise((r) => setTimeout(r, 50));
      }
    },
  };
}
