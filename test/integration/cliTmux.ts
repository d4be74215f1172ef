/**
 * A command in a real pseudo-terminal, for the `kube-rx watch` PTY tests: tmux runs it in a
 * detached session of a given size and its screen is read back as a person would see it. Each
 * test file uses its own tmux server (socket), so parallel files never see each other's sessions.
 */
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '../..');

// Without $TMUX, so the tests also run from inside a tmux session (tmux refuses to nest otherwise).
const { TMUX: _outer, ...env } = process.env;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One tmux server; sessions are started on it by name. */
export class Tmux {
  private readonly socket: string;

  constructor(name: string) {
    this.socket = `kube-rx-${name}-${process.pid}`;
  }

  private tmux(...args: string[]): string {
    return execFileSync('tmux', ['-L', this.socket, '-f', '/dev/null', ...args], {
      cwd: ROOT,
      encoding: 'utf8',
      env,
    });
  }

  /**
   * Runs `shellCommand` in session `name`, then prints `KUBE_RX_EXIT=<code>` and stays open, so
   * the final screen (and the exit code) can be read after the command ended.
   */
  start(name: string, shellCommand: string, size: { width: number; height: number }): void {
    const script = `cd ${JSON.stringify(ROOT)}; ${shellCommand}; echo KUBE_RX_EXIT=$?; sleep 300`;
    this.tmux('new-session', '-d', '-s', name, '-x', String(size.width), '-y', String(size.height), script);
  }

  /** The visible rows (with `history`, the scrollback too), wrapped rows joined, trailing blank rows dropped. */
  screen(name: string, history = false): string[] {
    const rows = this.tmux('capture-pane', '-p', '-J', '-t', name, ...(history ? ['-S', '-'] : [])).split(
      '\n',
    );
    while (rows.length > 0 && (rows[rows.length - 1] as string).trim() === '') rows.pop();
    return rows;
  }

  /** The rows exactly as drawn, one per terminal row (no joining of wrapped rows). */
  rawScreen(name: string): string[] {
    const rows = this.tmux('capture-pane', '-p', '-t', name).split('\n');
    while (rows.length > 0 && (rows[rows.length - 1] as string).trim() === '') rows.pop();
    return rows;
  }

  sendKeys(name: string, ...keys: string[]): void {
    this.tmux('send-keys', '-t', name, ...keys);
  }

  /** Polls the screen until `done` holds or `timeoutMs` passes; returns the last screen. */
  async waitFor(name: string, done: (rows: string[]) => boolean, timeoutMs: number): Promise<string[]> {
    const deadline = Date.now() + timeoutMs;
    let rows = this.screen(name);
    while (!done(rows) && Date.now() < deadline) {
      await sleep(100);
      rows = this.screen(name);
    }
    return rows;
  }

  /** Waits for the command to end; returns its exit code, the screen and how long it ran. */
  async exit(
    name: string,
    startedAt: number,
    timeoutMs = 30_000,
  ): Promise<{ code: number; rows: string[]; ms: number }> {
    const rows = await this.waitFor(name, (r) => r.some((row) => row.startsWith('KUBE_RX_EXIT=')), timeoutMs);
    const ms = Date.now() - startedAt;
    const line = rows.find((row) => row.startsWith('KUBE_RX_EXIT='));
    if (!line) throw new Error(`${name} did not exit within ${timeoutMs} ms:\n${rows.join('\n')}`);
    return { code: Number(line.slice('KUBE_RX_EXIT='.length)), rows, ms };
  }

  kill(): void {
    try {
      this.tmux('kill-server');
    } catch {
      // already gone
    }
  }
}

/** The shell command that runs the CLI from source with tsx, in a clean environment. */
export function cliCommand(home: string, args: readonly string[]): string {
  const quoted = args.map((arg) => `'${arg.replace(/'/g, `'\\''`)}'`).join(' ');
  return `env -u KUBECONFIG HOME=${JSON.stringify(home)} ${JSON.stringify(process.execPath)} --import tsx src/cli/main.ts ${quoted}`;
}
