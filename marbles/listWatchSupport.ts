/**
 * Shared by the listWatch marble tests: a client whose list and watch answers are functions of the
 * request (so a test can script a server that misbehaves forever), call logs with the virtual time
 * of each request, an `onError` recorder, and the request-rate measure the storm tests state their
 * bounds in.
 */
import { NEVER, type Observable, of, throwError } from 'rxjs';
import type { TestScheduler } from 'rxjs/testing';
import {
  type KubeClient,
  type KubeObject,
  type KubeRxError,
  type ListOptions,
  type ListResult,
  type ListWatchErrorContext,
  type RawWatchEvent,
  type ResourceType,
  StatusError,
  type WatchOptions,
} from '../src/index.js';
import type { ScriptedClient } from '../src/testing/index.js';

/** A compact view of the calls: `list(limit,continue)` and `watch@rv`, with the virtual time of each. */
export interface Timeline {
  readonly client: KubeClient;
  readonly log: string[];
  readonly signals: AbortSignal[];
}

/** Wraps a scripted client so every call also records the virtual time it was made at. */
export function timed(ts: TestScheduler, scripted: ScriptedClient): Timeline {
  const log: string[] = [];
  const signals: AbortSignal[] = [];
  const client: KubeClient = {
    ...scripted,
    list: (resource, options, signal) => {
      log.push(`${ts.now()} list(${options.limit ?? '-'},${options.continue ?? '-'})`);
      if (signal) signals.push(signal);
      return scripted.list(resource, options, signal);
    },
    watch: (resource, options) => {
      log.push(
        `${ts.now()} watch@${options.resourceVersion}${options.sendInitialEvents ? ' (initial events)' : ''}`,
      );
      return scripted.watch(resource, options);
    },
  };
  return { client, log, signals };
}

export interface Reported {
  readonly at: number;
  readonly name: string;
  readonly code?: number;
  readonly phase: ListWatchErrorContext['phase'];
  readonly relist: boolean;
  readonly retryInMs?: number;
}

/** An `onError` that records what was reported, when, and with which context. */
export function reporter(ts: TestScheduler) {
  const reported: Reported[] = [];
  const errors: KubeRxError[] = [];
  const contexts: ListWatchErrorContext[] = [];
  const onError = (error: KubeRxError, context: ListWatchErrorContext) => {
    errors.push(error);
    contexts.push(context);
    reported.push({
      at: ts.now(),
      name: error.name,
      ...(error instanceof StatusError ? { code: error.code } : {}),
      phase: context.phase,
      relist: context.relist,
      ...(context.retryInMs !== undefined ? { retryInMs: context.retryInMs } : {}),
    });
  };
  return { reported, errors, contexts, onError };
}

/** A list answer: any body (a list or not), an error, or an Observable of a body. */
export type ListAnswer = unknown;

/** A server scripted by functions of the request and its index among requests of the same verb. */
export interface HostileScript {
  readonly list?: (options: ListOptions, n: number) => ListAnswer;
  readonly watch?: (options: WatchOptions, n: number) => Observable<RawWatchEvent> | Error;
}

export interface HostileCall {
  readonly verb: 'list' | 'watch';
  readonly at: number;
  /** The request's options (list and watch options share one type here, for easy reading). */
  readonly options: ListOptions & WatchOptions;
}

/** A {@link KubeClient} answering from `script`, recording every request with its virtual time. */
export function hostileClient(ts: TestScheduler, script: HostileScript) {
  const calls: HostileCall[] = [];
  let lists = 0;
  let watches = 0;
  const notScripted = () => Promise.reject(new Error('hostileClient scripts list and watch only'));
  const client: KubeClient = {
    list: <T extends KubeObject>(_resource: ResourceType<T>, options: ListOptions) => {
      calls.push({ verb: 'list', at: ts.now(), options: { ...options } });
      const answer = script.list ? script.list(options, lists++) : undefined;
      if (answer === undefined) return NEVER;
      if (answer instanceof Error) return throwError(() => answer);
      // Scripted answers are untyped lists; the Reflector checks their shape.
      if (isObservable(answer)) return answer as Observable<ListResult<T>>;
      return of(answer as ListResult<T>);
    },
    watch: (_resource, options) => {
      calls.push({ verb: 'watch', at: ts.now(), options: { ...options } });
      const answer = script.watch ? script.watch(options, watches++) : undefined;
      if (answer === undefined) return NEVER;
      if (answer instanceof Error) return throwError(() => answer);
      return answer;
    },
    get: notScripted,
    create: notScripted,
    replace: notScripted,
    patch: notScripted,
    delete: notScripted,
  };
  const at = (verb: HostileCall['verb']) => calls.filter((c) => c.verb === verb).map((c) => c.at);
  return { client, calls, at };
}

function isObservable(value: unknown): value is Observable<unknown> {
  return (
    value !== null &&
    typeof value === 'object' &&
    typeof (value as Observable<unknown>).subscribe === 'function'
  );
}

/** The most requests made within any window of `windowMs` (one virtual second by default). */
export function maxPerWindow(times: readonly number[], windowMs = 1000): number {
  let max = 0;
  let start = 0;
  for (let end = 0; end < times.length; end++) {
    while ((times[end] as number) - (times[start] as number) >= windowMs) start++;
    max = Math.max(max, end - start + 1);
  }
  return max;
}
