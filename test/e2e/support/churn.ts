/**
 * Random creates, updates and deletes of ConfigMaps against the real API server, from a seeded
 * PRNG so a failing sequence can be replayed. Each name is in one of three states — absent,
 * present, or unknown (a request failed without an answer, e.g. while kube-apiserver was down,
 * so it may or may not have been applied) — and the next operation on it follows from its state.
 * No two operations on one name run at once, so the state stays exact whenever a request answers.
 */
import type { V1ConfigMap } from '@kubernetes/client-node';
import type { KubeClient } from '../../../src/core/client.js';
import { isStatusError } from '../../../src/core/errors.js';
import { resources } from '../../../src/core/resources.js';
import { pick, seededRandom } from '../../../src/testing/random.js';

export interface ChurnOptions {
  readonly namespaces: readonly string[];
  /** Label put on every object (`key=value`), so an informer can select exactly these. */
  readonly label: readonly [string, string];
  /** Names per namespace. Default 40. */
  readonly namesPerNamespace?: number;
  readonly seed: number;
}

export interface ChurnStats {
  /** Operations answered by the server (including 404/409 answers about unknown-state names). */
  applied: number;
  creates: number;
  updates: number;
  deletes: number;
  /** Requests that got no answer (transport errors, 5xx): their outcome is unknown. */
  unanswered: number;
}

type NameState = 'absent' | 'present' | 'unknown';

export function configMapChurner(client: KubeClient, options: ChurnOptions) {
  const random = seededRandom(options.seed);
  const per = options.namesPerNamespace ?? 40;
  const names = options.namespaces.flatMap((namespace) =>
    Array.from({ length: per }, (_, i) => ({ namespace, name: `churn-${i}` })),
  );
  const state = new Map<string, NameState>(names.map((n) => [`${n.namespace}/${n.name}`, 'absent']));
  const busy = new Set<string>();
  const stats: ChurnStats = { applied: 0, creates: 0, updates: 0, deletes: 0, unanswered: 0 };
  const [labelKey, labelValue] = options.label;
  let sequence = 0;

  const object = (namespace: string, name: string, n: number): V1ConfigMap => ({
    metadata: {
      name,
      namespace,
      labels: { [labelKey]: labelValue, app: random() < 0.5 ? 'web' : 'db' },
    },
    data: { value: String(n), padding: 'x'.repeat(Math.floor(random() * 200)) },
  });

  const one = async (): Promise<void> => {
    let target = pick(random, names);
    let key = `${target.namespace}/${target.name}`;
    while (busy.has(key)) {
      target = pick(random, names);
      key = `${target.namespace}/${target.name}`;
    }
    busy.add(key);
    const n = ++sequence;
    const { namespace, name } = target;
    const current = state.get(key) as NameState;
    const roll = random();
    try {
      if (current === 'absent' || (current === 'unknown' && roll < 0.5)) {
        stats.creates++;
        try {
          await client.create(resources.configMaps, object(namespace, name, n), { namespace });
        } catch (error) {
          if (!(isStatusError(error) && error.code === 409)) throw error; // unknown -> it existed
        }
        state.set(key, 'present');
      } else if (current === 'present' && roll < 0.65) {
        stats.updates++;
        const kind = random();
        // One update in ten moves the object out of (or back into) a `key=value` selector.
        const patch =
          kind < 0.1
            ? { metadata: { labels: { [labelKey]: random() < 0.5 ? labelValue : `${labelValue}-parked` } } }
            : kind < 0.55
              ? { metadata: { labels: { app: random() < 0.5 ? 'web' : 'db', rev: String(n) } } }
              : { data: { value: String(n) } };
        await client.patch(resources.configMaps, name, patch, 'merge', { namespace });
      } else {
        stats.deletes++;
        try {
          await client.delete(resources.configMaps, name, { namespace });
        } catch (error) {
          if (!(isStatusError(error) && error.code === 404 && current === 'unknown')) throw error;
        }
        state.set(key, 'absent');
      }
      stats.applied++;
    } catch (error) {
      // 4xx other than 429 is a real bug in the churn or the server; the rest may or may not have applied.
      if (isStatusError(error) && error.code < 500 && error.code !== 429) throw error;
      stats.unanswered++;
      state.set(key, 'unknown');
    } finally {
      busy.delete(key);
    }
  };

  /**
   * Runs `operations` operations, `concurrency` at a time. `pauseMs` waits after an unanswered
   * request, so a down server is not hammered.
   */
  const run = async (operations: number, concurrency = 8, pauseMs = 50): Promise<ChurnStats> => {
    let remaining = operations;
    const worker = async () => {
      while (remaining > 0) {
        remaining--;
        const before = stats.unanswered;
        await one();
        if (stats.unanswered > before) await new Promise((r) => setTimeout(r, pauseMs));
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    return stats;
  };

  return { run, stats };
}
