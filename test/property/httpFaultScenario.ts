/**
 * The random inputs of the HTTP fault property (`httpFaults.property.test.ts`): pods on the fake
 * cluster before the informer starts, a sequence of writes (and etcd compactions) made while it
 * runs, how it lists, and the {@link FaultPlan} the TCP proxy applies to its connections.
 *
 * Pods carry an annotation of arbitrary Unicode (astral characters, escapes, U+2028) so a
 * fragmented response is cut inside multi-byte characters and JSON escapes, not only between
 * ASCII bytes. Writes name pods from a small pool, and are resolved against the cluster when they
 * run (a put of a missing pod creates it, a delete of a missing pod does nothing), so every
 * generated sequence is valid and shrinks to a valid one.
 */
import { fc } from '@fast-check/vitest';
import type { V1Pod } from '@kubernetes/client-node';
import { StatusError } from '../../src/core/errors.js';
import { resources } from '../../src/core/resources.js';
import type { ListMode } from '../../src/sources/listWatchOptions.js';
import type { FakeCluster } from '../../src/testing/index.js';
import type { ConnectionEnding, ConnectionFault, FaultPlan, Trigger } from '../support/faultPlan.js';

const NAMESPACES = ['default', 'team'] as const;
const NAMES = ['a', 'b', 'c', 'd', 'e', 'f'] as const;
/** Pods the scenario can name: every namespace with every name. */
const POOL = NAMESPACES.flatMap((namespace) => NAMES.map((name) => ({ namespace, name })));
const NOTE = 'kube-rx.test/note';

export type Write =
  | { readonly kind: 'put'; readonly pick: number; readonly note: string; readonly gapMs: number }
  | { readonly kind: 'delete'; readonly pick: number; readonly gapMs: number }
  | { readonly kind: 'compact'; readonly gapMs: number };

export interface HttpFaultScenario {
  readonly initial: readonly { readonly pick: number; readonly note: string }[];
  readonly writes: readonly Write[];
  readonly listMode: ListMode;
  readonly pageSize: number;
  readonly plan: FaultPlan;
}

const noteArb = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 12 }),
  fc.constantFrom('ü€😀日本語', '"quoted" \\ back\\slash\n', '\u2028\u2029\u00a0', 'é'.repeat(60), '🏳️‍🌈'),
);
const pickArb = fc.nat(POOL.length - 1);
const gapArb = fc.integer({ min: 0, max: 15 });

const writeArb: fc.Arbitrary<Write> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({ kind: fc.constant('put'), pick: pickArb, note: noteArb, gapMs: gapArb }),
  },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('delete'), pick: pickArb, gapMs: gapArb }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('compact'), gapMs: gapArb }) },
);

const howArb = fc.constantFrom('rst' as const, 'fin' as const);
/**
 * Bytes mostly few (in the request or early in a response), sometimes deep into a list or a
 * watch; or a time, which usually falls in the watch.
 */
const triggerArb: fc.Arbitrary<Trigger> = fc.oneof(
  fc.record({ afterBytes: fc.oneof(fc.nat(400), fc.nat(3000), fc.nat(8000)) }),
  fc.record({ afterMs: fc.nat(100) }),
);
const endingArb: fc.Arbitrary<ConnectionEnding> = fc.oneof(
  fc
    .tuple(triggerArb, howArb)
    .map(([trigger, how]): ConnectionEnding => ({ kind: 'reset', how, ...trigger })),
  fc
    .tuple(
      triggerArb,
      fc.constantFrom(['up'] as const, ['down'] as const, ['up', 'down'] as const),
      // Below the idle timeout a stall that recovers, above it one the client gives up on first.
      fc.option(fc.nat(300), { nil: undefined }),
    )
    .map(
      ([trigger, directions, thawAfterMs]): ConnectionEnding => ({
        kind: 'freeze',
        directions,
        ...(thawAfterMs === undefined ? {} : { thawAfterMs }),
        ...trigger,
      }),
    ),
);
/**
 * Most connections end in a fault: a connection that only fragments lives on (a watch on it never
 * ends), so the plan's later connections would never be reached.
 */
const connectionFaultArb: fc.Arbitrary<ConnectionFault> = fc.record(
  {
    // From 4: single-byte pieces come anyway (30 % of all pieces), and a plan of nothing else
    // makes a list of a few kilobytes take a second.
    fragment: fc.record({ maxPieceBytes: fc.integer({ min: 4, max: 64 }), maxDelayMs: fc.nat(3) }),
    ending: fc.option(endingArb, { freq: 6, nil: undefined }),
  },
  { requiredKeys: ['ending'] },
);

export const httpFaultScenarioArb: fc.Arbitrary<HttpFaultScenario> = fc.record({
  initial: fc.array(fc.record({ pick: pickArb, note: noteArb }), { maxLength: 10 }),
  writes: fc.array(writeArb, { maxLength: 12 }),
  listMode: fc.constantFrom<ListMode>('paginated', 'paginated', 'streaming'),
  pageSize: fc.constantFrom(2, 3, 500),
  plan: fc.record({
    seed: fc.nat(),
    connections: fc.array(connectionFaultArb, { maxLength: 5 }),
  }),
});

function podOf(pick: number, note: string): V1Pod {
  const { namespace, name } = POOL[pick % POOL.length] as (typeof POOL)[number];
  return {
    metadata: { name, namespace, annotations: { [NOTE]: note } },
    spec: { containers: [{ name: 'main', image: 'nginx:1' }] },
  };
}

function isNotFound(error: unknown): boolean {
  return error instanceof StatusError && error.code === 404;
}

/** Creates the pod, or sets its note if it exists (a put of the same name twice is an update). */
async function put(cluster: FakeCluster, pick: number, note: string): Promise<void> {
  const wanted = podOf(pick, note);
  const { name, namespace } = wanted.metadata as { name: string; namespace: string };
  try {
    await cluster.admin.patch(
      resources.pods,
      name,
      { metadata: { annotations: { [NOTE]: note } } },
      'merge',
      {
        namespace,
      },
    );
  } catch (error) {
    if (!isNotFound(error)) throw error;
    await cluster.admin.create(resources.pods, wanted, { namespace });
  }
}

/** The initial pods, written before the informer starts. */
export async function seedCluster(cluster: FakeCluster, scenario: HttpFaultScenario): Promise<void> {
  for (const { pick, note } of scenario.initial) await put(cluster, pick, note);
}

/** Runs the writes through the in-process admin client, each after its gap of real time. */
export async function playWrites(cluster: FakeCluster, writes: readonly Write[]): Promise<void> {
  for (const write of writes) {
    await new Promise((resolve) => setTimeout(resolve, write.gapMs));
    if (write.kind === 'compact') cluster.compact();
    else if (write.kind === 'put') await put(cluster, write.pick, write.note);
    else {
      const { namespace, name } = POOL[write.pick % POOL.length] as (typeof POOL)[number];
      await cluster.admin.delete(resources.pods, name, { namespace }).catch((error: unknown) => {
        if (!isNotFound(error)) throw error;
      });
    }
  }
}
