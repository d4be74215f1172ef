/**
 * `kube-rx watch` in a real pseudo-terminal: tmux runs the CLI against the embedded cluster
 * (with churn and injected faults) and its screen is captured as a person would see it. The live
 * status line must sit on the last row, be rewritten in place (never two on screen), show the
 * numbers moving (resourceVersion, watch restarts, a relist after the 410), with event rows
 * scrolling above it; Ctrl-C (sent as keys) must leave a final status and exit 0.
 *
 * Needs tmux: CI installs it (.ci/run); elsewhere the test is skipped when tmux is missing.
 */
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const SOCKET = `kube-rx-pty-${process.pid}`;
const LIVE =
  /^objects (\d+)(?: \(syncing\))? \| ([\d.]+) events\/s \| rv (\S+) \| relists (\d+) \| watch restarts (\d+)/;
const ROW = /^(ADDED|MODIFIED|RESYNC|DELETED)\s+\S+\s+\S+/;

function hasTmux(): boolean {
  try {
    execFileSync('tmux', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

// Without $TMUX, so the test also runs from inside a tmux session (tmux refuses to nest otherwise).
const { TMUX: _outer, ...env } = process.env;
const tmux = (...args: string[]) =>
  execFileSync('tmux', ['-L', SOCKET, '-f', '/dev/null', ...args], { cwd: ROOT, encoding: 'utf8', env });

/** The visible screen (with `history`: the scrollback too), trailing blank rows dropped. */
function screen(history = false): string[] {
  const rows = tmux('capture-pane', '-p', '-t', 'cli', ...(history ? ['-S', '-'] : [])).split('\n');
  while (rows.length > 0 && (rows[rows.length - 1] as string).trim() === '') rows.pop();
  return rows;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const available = hasTmux();
if (!available && process.env.CI) throw new Error('tmux is required in CI for the CLI pseudo-terminal test');

describe.skipIf(!available)('kube-rx watch in a pseudo-terminal (tmux)', () => {
  afterAll(() => {
    try {
      tmux('kill-server');
    } catch {
      // already gone
    }
  });

  it('draws a live status line that updates in place under scrolling events', async () => {
    const command = [
      `cd ${JSON.stringify(ROOT)}`,
      `${JSON.stringify(process.execPath)} --import tsx src/cli/main.ts watch pods -A --embedded --index node=spec.nodeName --churn-ms 60`,
      'echo KUBE_RX_EXIT=$?',
      'sleep 120',
    ].join('; ');
    tmux('new-session', '-d', '-s', 'cli', '-x', '160', '-y', '30', command);

    interface Sample {
      rv: string;
      relists: number;
      restarts: number;
      objects: number;
    }
    const samples: Sample[] = [];
    let rowsAboveLive = false;
    const deadline = Date.now() + 40_000;
    while (Date.now() < deadline) {
      await sleep(150);
      const rows = screen();
      const live = rows.filter((r) => LIVE.test(r));
      // Rewritten in place: there is never a second copy of the live line on screen.
      expect(live.length, rows.join('\n')).toBeLessThanOrEqual(1);
      if (live.length === 0) continue;
      const last = rows[rows.length - 1] as string;
      expect(last, 'the live status line is the last row').toMatch(LIVE);
      const m = LIVE.exec(last) as RegExpExecArray;
      samples.push({
        objects: Number(m[1]),
        rv: m[3] as string,
        relists: Number(m[4]),
        restarts: Number(m[5]),
      });
      if (rows.slice(0, -1).some((r) => ROW.test(r))) rowsAboveLive = true;
      const latest = samples[samples.length - 1] as Sample;
      if (latest.relists >= 1 && latest.restarts >= 2 && new Set(samples.map((s) => s.rv)).size >= 3) break;
    }
    expect(samples.length, 'the live line appeared').toBeGreaterThan(0);
    expect(rowsAboveLive, 'event rows scroll above the live line').toBe(true);
    const latest = samples[samples.length - 1] as Sample;
    expect(new Set(samples.map((s) => s.rv)).size, 'the resourceVersion moves').toBeGreaterThanOrEqual(3);
    expect(latest.objects).toBeGreaterThan(0);
    expect(latest.restarts, 'dropped watches were restarted').toBeGreaterThanOrEqual(2);
    expect(latest.relists, 'the 410 after the compaction relisted').toBeGreaterThanOrEqual(1);
    const scrollback = screen(true);
    expect(
      scrollback.some((r) => r.startsWith('! watch: 410 Expired') && r.endsWith('-> relist')),
      'the 410 was reported above the live line',
    ).toBe(true);
    expect(
      scrollback.filter((r) => LIVE.test(r)),
      'no stale copy of the live line in the scrollback',
    ).toHaveLength(1);

    // Ctrl-C: the live line is replaced by a final plain status and the process exits 0.
    tmux('send-keys', '-t', 'cli', 'C-c');
    let rows: string[] = [];
    for (let i = 0; i < 100; i++) {
      await sleep(100);
      rows = screen();
      if (rows.some((r) => r.startsWith('KUBE_RX_EXIT='))) break;
    }
    expect(rows.filter((r) => r.startsWith('KUBE_RX_EXIT='))).toEqual(['KUBE_RX_EXIT=0']);
    expect(rows.filter((r) => LIVE.test(r))).toEqual([]);
    const exitAt = rows.indexOf('KUBE_RX_EXIT=0');
    expect(rows[exitAt - 1]).toMatch(/^index node: node-a=\d+ node-b=\d+ node-c=\d+$/);
    expect(rows[exitAt - 2]).toMatch(
      /^status: objects \d+ \| [\d.]+ events\/s \| rv \d+ \| relists [1-9]\d* \| watch restarts \d+/,
    );
  }, 60_000);
});
