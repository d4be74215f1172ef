/**
 * A scripted {@link KubeClient}: each `list` call answers with the next scripted list response and
 * each `watch` call with the next scripted watch stream. Streams are plain Observables, so marble
 * tests script them with `cold('-a-b-|')` and everything runs in virtual time.
 * When a script runs out, further calls never answer (like a hung connection), which keeps a
 * test's tail quiet instead of failing it by accident.
 * Writes are not scripted: use the fake cluster (`createFakeCluster`) for controllers that write.
 */
import { NEVER, type Observable, type ObservableInput, of, throwError } from 'rxjs';
import type { KubeClient, ListOptions, ListResult, RawWatchEvent, WatchOptions } from '../core/client.js';
import { statusError } from '../core/errors.js';
import type { KubeObject } from '../core/objects.js';
import type { ResourceType } from '../core/resources.js';

/** A list answer: a response, an error to fail with, or an Observable (e.g. delayed in virtual time). */
export type ListStep =
  | ListResult
  | Error
  | Observable<ListResult>
  | ((options: ListOptions) => ListResult | Error | Observable<ListResult>);

/** A watch answer: a stream, or an error to fail the watch request with. */
export type WatchStep =
  | Observable<RawWatchEvent>
  | Error
  | ((options: WatchOptions) => Observable<RawWatchEvent> | Error);

/** A recorded call, for asserting what the reflector asked for. */
export type ScriptedCall =
  | { readonly verb: 'list'; readonly resource: string; readonly options: ListOptions }
  | { readonly verb: 'watch'; readonly resource: string; readonly options: WatchOptions };

export interface ScriptedClient extends KubeClient {
  /** Every list and watch call so far, in order. */
  readonly calls: ScriptedCall[];
  /** Appends list answers. */
  pushList(...steps: ListStep[]): void;
  /** Appends watch answers. */
  pushWatch(...steps: WatchStep[]): void;
}

function isObservable(value: unknown): value is Observable<unknown> {
  return (
    value !== null &&
    typeof value === 'object' &&
    typeof (value as Observable<unknown>).subscribe === 'function'
  );
}

/**
 * Builds a scripted client.
 *
 * @example
 * ```ts
 * const client = scriptedClient({
 *   lists: [listOf([pod('a', '1')], '1')],
 *   watches: [cold('-a-|', { a: modified(pod('a', '2')) })],
 * });
 * ```
 */
export function scriptedClient(script: { lists?: ListStep[]; watches?: WatchStep[] } = {}): ScriptedClient {
  const lists = [...(script.lists ?? [])];
  const watches = [...(script.watches ?? [])];
  const calls: ScriptedCall[] = [];
  const notScripted = () =>
    Promise.reject(
      statusError(501, 'scriptedClient scripts list and watch only; use createFakeCluster for writes'),
    );

  return {
    calls,
    pushList: (...steps) => lists.push(...steps),
    pushWatch: (...steps) => watches.push(...steps),
    // Scripts hold untyped lists: the items are whatever the test scripted (the Reflector checks them).
    list<T extends KubeObject>(
      resource: ResourceType<T>,
      options: ListOptions,
    ): ObservableInput<ListResult<T>> {
      calls.push({ verb: 'list', resource: resource.plural, options: { ...options } });
      let step = lists.shift();
      if (typeof step === 'function') step = step(options);
      if (step === undefined) return NEVER;
      if (step instanceof Error) return throwError(() => step);
      return (isObservable(step) ? step : of(step)) as Observable<ListResult<T>>;
    },
    watch(resource: ResourceType<KubeObject>, options: WatchOptions): Observable<RawWatchEvent> {
      calls.push({ verb: 'watch', resource: resource.plural, options: { ...options } });
      let step = watches.shift();
      if (typeof step === 'function') step = step(options);
      if (step === undefined) return NEVER;
      if (step instanceof Error) {
        const error = step;
        return throwError(() => error);
      }
      return step;
    },
    get: notScripted,
    create: notScripted,
    replace: notScripted,
    patch: notScripted,
    delete: notScripted,
  };
}
