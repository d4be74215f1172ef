/**
 * Leader election with three real processes on a real coordination.k8s.io/v1 Lease (lease 4 s,
 * renew deadline 3 s, retry 1 s). Each process runs test/e2e/fixtures/leader.ts and prints its
 * transitions. Exactly one leads; when the leader is SIGKILLed (no release), another takes over
 * once the Lease expires; when the next leader exits gracefully (SIGTERM releases the Lease), the
 * last one takes over within a retry period. Leadership intervals never overlap, by the
 * processes' own transitions, and the Lease's holder follows the same sequence.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { V1Lease } from '@kubernetes/client-node';
import { afterAll, describe, expect, it, onTestFailed } from 'vitest';
import { resources } from '../../src/core/resources.js';
import { client, e2e, ensureNamespace, eventually } from './support/env.js';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '../..');
const LEASE_MS = 4_000;
const RETRY_MS = 1_000;

interface Transition {
  id: string;
  at: number;
  leading?: boolean;
  exiting?: boolean;
  error?: string;
}

interface Candidate {
  id: string;
  child: ChildProcess;
  lines: Transition[];
  /** When the test SIGKILLed it (its leadership, if any, ended then). */
  killedAt?: number;
}

const candidates: Candidate[] = [];
afterAll(() => {
  for (const c of candidates)
    if (c.child.exitCode === null && c.child.signalCode === null) c.child.kill('SIGKILL');
});

function startCandidate(id: string, namespace: string, lease: string): Candidate {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(here, 'fixtures', 'leader.ts'), e2e().kubeconfig, namespace, lease, id],
    // stdin stays open for the child's lifetime: it exits when it sees EOF (this process died).
    { cwd: repoRoot, stdio: ['pipe', 'pipe', 'pipe'] },
  );
  const candidate: Candidate = { id, child, lines: [] };
  let buffered = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    buffered += chunk;
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) if (line.trim()) candidate.lines.push(JSON.parse(line) as Transition);
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => process.stderr.write(`[${id}] ${chunk}`));
  candidates.push(candidate);
  return candidate;
}

const isLeading = (c: Candidate) => {
  const last = c.lines.filter((l) => l.leading !== undefined).at(-1);
  return last?.leading === true && c.killedAt === undefined;
};
const leaders = (all: Candidate[]) => all.filter(isLeading);
const becameLeaderAt = (c: Candidate) => c.lines.find((l) => l.leading === true)?.at;
const exited = (c: Candidate) =>
  c.child.exitCode !== null || c.child.signalCode !== null
    ? Promise.resolve()
    : new Promise<void>((r) => c.child.once('exit', () => r()));

/** Every [start, end) during which a process said it led; a SIGKILL ends it at the kill. */
function leadershipIntervals(all: Candidate[]): { id: string; start: number; end: number }[] {
  const out: { id: string; start: number; end: number }[] = [];
  for (const c of all) {
    let start: number | undefined;
    for (const line of c.lines) {
      if (line.leading === true && start === undefined) start = line.at;
      if (line.leading === false && start !== undefined) {
        out.push({ id: c.id, start, end: line.at });
        start = undefined;
      }
    }
    if (start !== undefined) out.push({ id: c.id, start, end: c.killedAt ?? Number.POSITIVE_INFINITY });
  }
  return out.sort((a, b) => a.start - b.start);
}

describe('leader election with three processes on a real Lease', () => {
  it('elects one leader, fails over after the leader dies, and never has two', async () => {
    const c = client();
    const namespace = 'leader-e2e';
    const leaseName = 'e2e-lock';
    await ensureNamespace(c, namespace);

    // Watch the Lease's holder throughout.
    const holders: string[] = [];
    let polling = true;
    const poller = (async () => {
      while (polling) {
        try {
          const lease = await c.get<V1Lease>(resources.leases, leaseName, { namespace });
          const holder = lease.spec?.holderIdentity ?? '';
          if (holder !== holders.at(-1)) holders.push(holder);
        } catch {}
        await new Promise((r) => setTimeout(r, 200));
      }
    })();

    const all = ['alpha', 'bravo', 'charlie'].map((id) => startCandidate(id, namespace, leaseName));
    onTestFailed(() => {
      console.log(`[e2e leader] Lease holders seen: ${JSON.stringify(holders)}`);
      for (const x of all)
        console.log(`[e2e leader] ${x.id}: ${x.lines.map((l) => JSON.stringify(l)).join('\n  ')}`);
    });
    await eventually(() => leaders(all).length === 1, 30_000, 'a first leader');
    const first = leaders(all)[0] as Candidate;
    // It stays the only leader for longer than a lease duration; the others keep following.
    await new Promise((r) => setTimeout(r, LEASE_MS + RETRY_MS));
    expect(leaders(all).map((x) => x.id)).toEqual([first.id]);
    for (const other of all.filter((x) => x !== first))
      expect(other.lines.filter((l) => l.leading === true)).toEqual([]);
    const held = await c.get<V1Lease>(resources.leases, leaseName, { namespace });
    expect(held.spec?.holderIdentity).toBe(first.id);

    // SIGKILL: no release; a successor must wait for the Lease to expire.
    first.killedAt = Date.now();
    first.child.kill('SIGKILL');
    await exited(first);
    const rest = all.filter((x) => x !== first);
    await eventually(() => leaders(rest).length === 1, 15_000, 'failover after the leader was killed');
    const second = leaders(rest)[0] as Candidate;
    const failoverMs = (becameLeaderAt(second) as number) - first.killedAt;
    // Not before the Lease could have expired (its last renewal was at most a retry period before
    // the kill), and within leaseDuration + retryPeriod of the successor's last sight of a renewal,
    // which is at most a retry period after the kill (+ request latency).
    expect(failoverMs).toBeGreaterThanOrEqual(LEASE_MS - RETRY_MS - 500);
    expect(failoverMs).toBeLessThanOrEqual(LEASE_MS + 2 * RETRY_MS + 1_000);
    // The successor holds the Lease and keeps it; the remaining candidate follows.
    await new Promise((r) => setTimeout(r, 2 * RETRY_MS));
    expect(leaders(all).map((x) => x.id)).toEqual([second.id]);
    expect((await c.get<V1Lease>(resources.leases, leaseName, { namespace })).spec?.holderIdentity).toBe(
      second.id,
    );

    // SIGTERM: the leader steps down and releases the Lease; the last candidate takes it at once.
    const stepDownAt = Date.now();
    second.child.kill('SIGTERM');
    const third = rest.find((x) => x !== second) as Candidate;
    await eventually(() => isLeading(third), 10_000, 'takeover after a graceful release');
    const handoverMs = (becameLeaderAt(third) as number) - stepDownAt;
    expect(handoverMs).toBeLessThanOrEqual(RETRY_MS + 1_500);
    await exited(second);
    await new Promise((r) => setTimeout(r, 2 * RETRY_MS));
    expect(leaders(all).map((x) => x.id)).toEqual([third.id]);
    expect((await c.get<V1Lease>(resources.leases, leaseName, { namespace })).spec?.holderIdentity).toBe(
      third.id,
    );

    third.child.kill('SIGTERM');
    await exited(third);
    await eventually(() => holders.at(-1) === '', 5_000, 'the last leader to release the Lease');
    polling = false;
    await poller;

    // Never two leaders: the intervals the processes reported are disjoint...
    const intervals = leadershipIntervals(all);
    expect(intervals.map((i) => i.id)).toEqual([first.id, second.id, third.id]);
    for (let i = 1; i < intervals.length; i++)
      expect((intervals[i] as { start: number }).start).toBeGreaterThanOrEqual(
        (intervals[i - 1] as { end: number }).end,
      );
    // ...and the Lease was held by exactly that sequence.
    expect(holders.filter((h) => h !== '')).toEqual([first.id, second.id, third.id]);
    const final = await c.get<V1Lease>(resources.leases, leaseName, { namespace });
    expect(final.spec?.leaseTransitions).toBeGreaterThanOrEqual(2);
    console.log(
      `[e2e leader] ${first.id} -> (SIGKILL) ${second.id} after ${failoverMs} ms -> (SIGTERM) ${third.id} after ${handoverMs} ms`,
    );
  });
});
