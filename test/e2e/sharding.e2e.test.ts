/**
 * Sharding with three real processes against a real kube-apiserver: each runs
 * test/e2e/fixtures/shard.ts (`shardedController` over `kubeClient`, Leases of 4 s renewed every
 * second, a pass at most every 500 ms) on 1,000 ConfigMaps and prints its reconciles and its
 * cache. Every object gets reconciled by its shard; one replica that is not the sharder is
 * SIGKILLed (no Lease release, reconciles cut short); the other two take over its objects within
 * the lease duration plus a pass plus slack. Across the whole run no key is reconciled by two
 * processes at overlapping instants (the killed one's last reconcile ends at its kill), and every
 * cache holds only objects labelled with its own identity.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { V1ConfigMap, V1Lease } from '@kubernetes/client-node';
import { afterAll, describe, expect, it, onTestFailed } from 'vitest';
import { resources } from '../../src/core/resources.js';
import { shardLabel } from '../../src/runtime/sharding/labels.js';
import { client, e2e, ensureNamespace, eventually } from './support/env.js';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '../..');
const NAMESPACE = 'sharding-e2e';
const RING = 'e2e';
const OBJECTS = 1_000;
const LEASE_MS = 4_000;
const PASS_MS = 500;
/** Process scheduling, the sharder's list of 1,000 labels and the new shard's watch event. */
const SLACK_MS = 4_000;

interface Line {
  id: string;
  at: number;
  key?: string;
  start?: number;
  end?: number;
  cache?: string[];
  foreign?: string[];
  error?: string;
  failed?: string;
}

interface Replica {
  id: string;
  child: ChildProcess;
  lines: Line[];
  killedAt?: number;
}

const replicas: Replica[] = [];
afterAll(() => {
  for (const r of replicas)
    if (r.child.exitCode === null && r.child.signalCode === null) r.child.kill('SIGKILL');
});

function startReplica(id: string): Replica {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(here, 'fixtures', 'shard.ts'), e2e().kubeconfig, NAMESPACE, RING, id],
    { cwd: repoRoot, stdio: ['pipe', 'pipe', 'pipe'] },
  );
  const replica: Replica = { id, child, lines: [] };
  let buffered = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    buffered += chunk;
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) if (line.trim()) replica.lines.push(JSON.parse(line) as Line);
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => process.stderr.write(`[${id}] ${chunk}`));
  replicas.push(replica);
  return replica;
}

const reconciled = (r: Replica) => new Set(r.lines.flatMap((l) => (l.key ? [l.key] : [])));
const lastCache = (r: Replica) => r.lines.filter((l) => l.cache).at(-1);

describe('sharded controller with three processes on a real API server', () => {
  it('splits 1,000 objects, takes over a killed replica within the lease, never reconciles a key twice at once', async () => {
    const c = client({ rateLimit: false });
    await ensureNamespace(c, NAMESPACE);
    const names = Array.from({ length: OBJECTS }, (_, i) => `object-${i}`);
    for (let i = 0; i < names.length; i += 50)
      await Promise.all(
        names.slice(i, i + 50).map((name) =>
          c
            .create(
              resources.configMaps,
              { metadata: { name, namespace: NAMESPACE } },
              { namespace: NAMESPACE },
            )
            .catch((error: { code?: number }) => {
              if (error.code !== 409) throw error;
            }),
        ),
      );
    const keys = names.map((name) => `${NAMESPACE}/${name}`);
    const labelsNow = async () => {
      const list = await c.list<V1ConfigMap>(resources.configMaps, { namespace: NAMESPACE });
      return new Map(
        (list.items as V1ConfigMap[]).map((o) => [
          `${NAMESPACE}/${o.metadata?.name}`,
          o.metadata?.labels?.[shardLabel(RING)],
        ]),
      );
    };

    const all = ['alpha', 'bravo', 'charlie'].map(startReplica);
    onTestFailed(() => {
      for (const r of all) {
        const errors = r.lines.filter((l) => l.error || l.failed).slice(0, 5);
        console.log(`[e2e shard] ${r.id}: ${reconciled(r).size} keys, errors ${JSON.stringify(errors)}`);
      }
    });
    const everyKeyReconciled = (among: Replica[]) => {
      const seen = new Set(among.flatMap((r) => [...reconciled(r)]));
      return keys.every((k) => seen.has(k));
    };
    await eventually(() => everyKeyReconciled(all), 45_000, 'every object reconciled by a shard');
    for (const r of all) expect(reconciled(r).size).toBeGreaterThan(OBJECTS / 6);

    // Kill a replica that is not the sharder (so the bound is the membership Lease's, not a new election's).
    const sharder = await c.get<V1Lease>(resources.leases, `${RING}-sharder`, { namespace: NAMESPACE });
    const victim = all.find((r) => r.id !== sharder.spec?.holderIdentity) as Replica;
    const survivors = all.filter((r) => r !== victim);
    const victimKeys = [...(await labelsNow())]
      .filter(([, shard]) => shard === victim.id)
      .map(([key]) => key);
    expect(victimKeys.length).toBeGreaterThan(OBJECTS / 6);
    victim.killedAt = Date.now();
    victim.child.kill('SIGKILL');

    const takenOver = (key: string) =>
      survivors.some((r) => r.lines.some((l) => l.key === key && (l.start ?? 0) >= (victim.killedAt ?? 0)));
    await eventually(
      () => victimKeys.every(takenOver),
      30_000,
      "the killed replica's objects reconciled by the others",
    );
    const lastTakeover = Math.max(
      ...victimKeys.map((key) =>
        Math.min(
          ...survivors.flatMap((r) =>
            r.lines
              .filter((l) => l.key === key && (l.start ?? 0) >= (victim.killedAt ?? 0))
              .map((l) => l.start ?? 0),
          ),
        ),
      ),
    );
    console.log(
      `[e2e shard] ${victim.id} killed: its ${victimKeys.length} objects reconciled elsewhere within ${lastTakeover - victim.killedAt} ms`,
    );
    expect(lastTakeover - victim.killedAt).toBeLessThanOrEqual(LEASE_MS + PASS_MS + SLACK_MS);

    // No key in two processes' reconciles at overlapping instants; a reconcile without its end
    // line ended at the kill (the victim) or is still running.
    const intervals = new Map<string, { id: string; start: number; end: number }[]>();
    for (const r of all) {
      const ends = new Set(
        r.lines.flatMap((l) => (l.key && l.end !== undefined ? [`${l.key}@${l.start}`] : [])),
      );
      for (const l of r.lines) {
        if (!l.key || l.start === undefined) continue;
        if (l.end === undefined && ends.has(`${l.key}@${l.start}`)) continue;
        const end = l.end ?? r.killedAt ?? Number.POSITIVE_INFINITY;
        intervals.set(l.key, [...(intervals.get(l.key) ?? []), { id: r.id, start: l.start, end }]);
      }
    }
    // (A namespace may hold other ConfigMaps, kube-root-ca.crt with a controller manager.)
    expect(keys.filter((key) => intervals.has(key)).length).toBe(OBJECTS);
    const overlaps: string[] = [];
    for (const [key, list] of intervals)
      for (const a of list)
        for (const b of list)
          if (a.id < b.id && a.start < b.end && b.start < a.end) overlaps.push(`${key}: ${a.id} and ${b.id}`);
    expect(overlaps).toEqual([]);

    // Each survivor's cache holds only its shard: no foreign label at any report, and its last
    // cache is within the objects labelled with its identity now.
    await new Promise((r) => setTimeout(r, 1_500));
    const labels = await labelsNow();
    for (const r of survivors) {
      expect(r.lines.flatMap((l) => l.foreign ?? [])).toEqual([]);
      const cache = lastCache(r)?.cache ?? [];
      expect(cache.length).toBeGreaterThan(0);
      expect(cache.filter((key) => labels.get(key) !== r.id)).toEqual([]);
    }
    expect(victim.lines.flatMap((l) => l.foreign ?? [])).toEqual([]);
    // Together the survivors now own every object.
    expect([...labels.values()].filter((shard) => !survivors.some((r) => r.id === shard))).toEqual([]);
  }, 120_000);
});
