/**
 * Benchmarks run in child processes: each one gets a fresh heap (earlier benchmarks' garbage and
 * old-generation size would otherwise change its GC costs), `--expose-gc` for heap measurements,
 * and a server in another process does not share the measured client's CPU time or heap.
 * A child reports with one `BENCH_RESULT <json>` line on stdout; everything else it prints
 * (progress) goes to stderr.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (children run there, so `--import tsx` resolves). */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

const MARKER = 'BENCH_RESULT ';

/** Prints a child's result for {@link runChild}. */
export function emitResult(result: unknown): void {
  process.stdout.write(`${MARKER}${JSON.stringify(result)}\n`);
}

/** Node arguments that run a TypeScript bench file with tsx and a collectable heap. */
export function nodeArgs(script: string, extra: readonly string[] = []): string[] {
  return ['--expose-gc', ...extra, '--import', 'tsx', resolve(ROOT, script)];
}

/** Runs `script` (relative to the root) in a child Node process and returns what it emitted. */
export function runChild<R>(
  script: string,
  args: readonly string[] = [],
  options: { env?: NodeJS.ProcessEnv; nodeFlags?: readonly string[] } = {},
): Promise<R> {
  return runProgram<R>(process.execPath, [...nodeArgs(script, options.nodeFlags), ...args], {
    env: options.env,
    name: `${script} ${args.join(' ')}`,
  });
}

/**
 * Runs any program that reports like a bench child (a `BENCH_RESULT <json>` line on stdout), such
 * as P4's client-go anchor, and returns what it emitted.
 */
export function runProgram<R>(
  command: string,
  args: readonly string[] = [],
  options: { env?: NodeJS.ProcessEnv; name?: string } = {},
): Promise<R> {
  const name = options.name ?? `${command} ${args.join(' ')}`;
  return new Promise<R>((resolvePromise, reject) => {
    const child = spawn(command, args, {
      cwd: ROOT,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (text: string) => {
      out += text;
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      const line = out.split('\n').find((l) => l.startsWith(MARKER));
      if (code === 0 && line) resolvePromise(JSON.parse(line.slice(MARKER.length)) as R);
      else reject(new Error(`${name} exited with ${signal ?? code}${line ? '' : ' and no result'}`));
    });
  });
}

/** A long-running child that announced itself with a `BENCH_READY <json>` line. */
export interface Daemon<I> {
  readonly info: I;
  readonly process: ChildProcess;
  stop(): Promise<void>;
}

/** Starts `script` and waits for its `BENCH_READY <json>` line (a server, say). */
export function startDaemon<I>(
  script: string,
  args: readonly string[] = [],
  options: { nodeFlags?: readonly string[] } = {},
): Promise<Daemon<I>> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [...nodeArgs(script, options.nodeFlags), ...args], {
      cwd: ROOT,
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    let out = '';
    let ready = false;
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (text: string) => {
      out += text;
      const line = out.split('\n').find((l) => l.startsWith('BENCH_READY '));
      if (line && !ready) {
        ready = true;
        const info = JSON.parse(line.slice('BENCH_READY '.length)) as I;
        resolvePromise({
          info,
          process: child,
          stop: () =>
            new Promise<void>((done) => {
              if (child.exitCode !== null) return done();
              child.once('exit', () => done());
              // Closing stdin asks it to exit; the child also exits on its own if the parent dies.
              child.stdin.end();
            }),
        });
      }
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      if (!ready) reject(new Error(`${script} exited with ${code} before it was ready`));
    });
  });
}
