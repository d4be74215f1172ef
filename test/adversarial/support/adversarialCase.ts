/**
 * What a case is. Most cases are an {@link InformerCase}: a scripted hostile server, an informer
 * run against it for a short real time, and the four checks every case makes (see
 * `assertions.ts`). A few defects are not about a running informer (the fake cluster's patches, a
 * selector built from an object): those are a {@link StandaloneCase}, a plain test function.
 */
import type { Observable } from 'rxjs';
import type { KubeObject } from '../../../src/core/objects.js';
import type { Informer, InformerOptions } from '../../../src/runtime/informer.js';
import type { KubeClientOptions } from '../../../src/transport/kubeClient.js';
import type { HostileServerOptions } from './hostileServer.js';
import type { InformerRun } from './runInformer.js';

/** The defect classes of issue 14, plus the ordinary faults that already work. */
export const DEFECT_CLASSES = {
  ordinary: 'ordinary faults: 5xx bursts, drops, 410s, malformed lines, chunking, timeouts',
  relistStorm: 'relist storm: watches that keep failing or ending without backoff, endless pages',
  nonListBody: 'a 200 that is not a list must not wipe the cache',
  malformedObject: 'one malformed object must not kill an informer, an index or a controller',
  stuck: 'stuck for good: stale caches, unnoticed half-open connections, lost streaming lists',
  exhaustion: 'resource exhaustion: huge frames, quadratic parsing, hash collisions',
  politeness: 'politeness: Retry-After and a client-side rate limit',
  identity: 'identity: keys that collide, resourceVersions that are not strings',
  secrets: 'secrets: no token in any error rendering',
  fakeCluster: 'the fake cluster: prototype pollution through patches, null labels',
  objectSelectors: 'selectors from objects: malformed matchExpressions are typed errors',
  metadataOnly: 'metadata-only requests a server does not honour: whole objects are never cached',
} as const;

export type DefectClass = keyof typeof DEFECT_CLASSES;

/** Requests per second allowed per verb, over the whole run. */
export type RateBound = Readonly<Partial<Record<'list' | 'watch' | 'other', number>>>;

export interface InformerCase {
  /** What the case shows, as a sentence: it becomes the test's name. */
  readonly name: string;
  readonly defectClass: DefectClass;
  /** The server's script and the objects the cache must end up holding (`valid`). */
  readonly server: HostileServerOptions;
  /** Informer options over the harness defaults (fast backoff); `onError` is the harness's. */
  readonly informer?: Omit<InformerOptions<KubeObject>, 'onError'>;
  readonly client?: KubeClientOptions;
  /**
   * Real time the informer runs, exactly (rate cases need that); keep it at 3000 or less. Without
   * it a run lasts 500 to 1000 ms: it ends once the cache converged and the server went quiet.
   */
  readonly runMs?: number;
  /** Overrides of `DEFAULT_RATE_BOUND` for this case. */
  readonly maxRate?: RateBound;
  /**
   * Set when the case expects the stream to end with a fatal typed error: a predicate it must
   * satisfy. The cache is not compared then.
   */
  readonly fatal?: (error: unknown) => boolean;
  /** More consumers of the informer (a controller); their errors count as the stream's. */
  readonly consumers?: (informer: Informer<KubeObject>) => Observable<unknown>;
  /** Assertions of this case beyond the four every case makes. */
  readonly check?: (run: InformerRun) => void;
}

export interface StandaloneCase {
  readonly name: string;
  readonly defectClass: DefectClass;
  readonly run: () => void | Promise<void>;
}

export type AdversarialCase = InformerCase | StandaloneCase;
