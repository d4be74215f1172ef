/**
 * The Reflector's states and the memory one subscription keeps across them: what the list, watch
 * and streaming-list phases read and update, and how they report. The rules that move between the
 * states are written once, in the header of `listWatch.ts`.
 */
import type { SchedulerLike } from 'rxjs';
import type { KubeClient } from '../core/client.js';
import { KubeRxError } from '../core/errors.js';
import type { WatchEvent } from '../core/events.js';
import type { KubeObject } from '../core/objects.js';
import type { ResourceType } from '../core/resources.js';
import type { Backoff } from './backoff.js';
import {
  type ListMode,
  type ListWatchErrorContext,
  type ListWatchOptions,
  listWatchDefaults,
} from './listWatchOptions.js';
import type { RelistReason } from './reflectorEvents.js';
import type { ReflectorLifecycle } from './reflectorLifecycle.js';

/** The states; a list carries the reason it is a relist (none for the first list). */
export type ReflectorState =
  | { readonly phase: 'list'; readonly unpaginated?: boolean; readonly reason?: RelistReason }
  | { readonly phase: 'streamingList'; readonly reason?: RelistReason }
  | { readonly phase: 'watch'; readonly resourceVersion: string }
  | { readonly phase: 'backoff'; readonly delayMs: number; readonly resume: ReflectorState };

/**
 * What a phase emits: events for the subscriber (a `REPLACE` with the pages its list took), and
 * finally the state to go to, with the error that ended the phase when one did.
 */
export type Step<T> =
  | { readonly event: WatchEvent<T>; readonly pages?: number }
  | { readonly next: ReflectorState; readonly error?: unknown };

/** The numeric options, each given or defaulted. */
export type ListWatchLimits = { -readonly [K in keyof typeof listWatchDefaults]: number };

export interface ReflectorContext<T extends KubeObject> {
  readonly client: KubeClient;
  readonly resource: ResourceType<T>;
  /** `describeResource(resource)`, as errors and reports name it. */
  readonly resourceName: string;
  readonly options: ListWatchOptions;
  /** The options with their defaults filled in. */
  readonly limits: ListWatchLimits;
  readonly scheduler: SchedulerLike;
  readonly backoff: Backoff;
  readonly random: () => number;
  /** Told every transition, event and report; undefined when nobody listens (then nothing is told). */
  readonly lifecycle: ReflectorLifecycle | undefined;
  listMode: ListMode;
  /** Consecutive 400/401/403/404 answers; anything that shows the server accepts us resets it. */
  persistentFailures: number;
  /** When the last list (or streaming list) delivered its REPLACE; undefined before the first. */
  listedAt: number | undefined;
  /** A watch moved the resourceVersion with an object event since the last list. */
  progressSinceList: boolean;
  /** A watch from a fresh list was rejected with 400 and nothing was received since. */
  watchRejectedAfterList: boolean;
  /** Failed watches in a row without a new resourceVersion (see `watchFailuresBeforeRelist`). */
  watchFailuresWithoutProgress: number;
  /** A relist may come at once although the list it replaces is young (see `pacing.ts`). */
  quickRelistAllowed: boolean;
  /** A watch may restart at once although the one that closed was short (see `pacing.ts`). */
  quickRewatchAllowed: boolean;
}

/**
 * A fresh context for one subscription. `initialBackoffMs` (the backoff's first delay) is the
 * default of `minRelistIntervalMs`.
 */
export function reflectorContext<T extends KubeObject>(
  fields: Pick<
    ReflectorContext<T>,
    'client' | 'resource' | 'resourceName' | 'options' | 'scheduler' | 'backoff' | 'random' | 'lifecycle'
  >,
  initialBackoffMs: number,
): ReflectorContext<T> {
  const { options } = fields;
  const limits: ListWatchLimits = { ...listWatchDefaults, minRelistIntervalMs: initialBackoffMs };
  for (const key of Object.keys(limits) as (keyof typeof limits)[]) {
    const value = options[key];
    if (typeof value === 'number' && value >= 0) limits[key] = value;
  }
  return {
    ...fields,
    limits,
    listMode: options.listMode ?? 'paginated',
    persistentFailures: 0,
    listedAt: undefined,
    progressSinceList: false,
    watchRejectedAfterList: false,
    watchFailuresWithoutProgress: 0,
    quickRelistAllowed: true,
    quickRewatchAllowed: true,
  };
}

/** A list (paginated or streaming) succeeded: the server accepts us and the cache is current. */
export function listed<T extends KubeObject>(ctx: ReflectorContext<T>): void {
  ctx.listedAt = ctx.scheduler.now();
  ctx.persistentFailures = 0;
  ctx.progressSinceList = false;
  ctx.watchFailuresWithoutProgress = 0;
}

/** A watch delivered an object event with a new resourceVersion. */
export function progressed<T extends KubeObject>(ctx: ReflectorContext<T>): void {
  ctx.progressSinceList = true;
  ctx.watchFailuresWithoutProgress = 0;
}

/** `error` as a {@link KubeRxError}, as reports carry it (a plain transport error gets wrapped). */
export function asKubeRxError(error: unknown): KubeRxError {
  if (error instanceof KubeRxError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new KubeRxError(`transport error: ${message}`, { cause: error });
}

/** Hands a non-fatal error to `onError` and the lifecycle, naming the resource. */
export function report<T extends KubeObject>(
  ctx: ReflectorContext<T>,
  error: unknown,
  context: Omit<ListWatchErrorContext, 'resource'>,
): void {
  const reported = asKubeRxError(error);
  const full = { resource: ctx.resourceName, ...context };
  ctx.options.onError?.(reported, full);
  ctx.lifecycle?.reported(reported, full);
}
