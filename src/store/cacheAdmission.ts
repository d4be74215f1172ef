/**
 * Which objects may enter the cache, and how one that may not is reported.
 *
 * One malformed object must not stop an informer: it is reported with an
 * {@link UncacheableObjectError} naming the resource and the object, and skipped, and the stream
 * goes on. An object is turned away when it has no key of its own (`objectKeyProblem`: no
 * name, a name or namespace that is not a string or contains `/`, so two objects can never share a
 * key), a resourceVersion that is not a string (it would become the cache's resourceVersion), or
 * when it nests deeper than `MAX_OBJECT_DEPTH` (1000) levels and so cannot be frozen.
 */
import { EncodedObject } from '../core/encodedObject.js';
import { InvalidObjectError, type KubeRxError } from '../core/errors.js';
import {
  type DeepReadonly,
  deepFreeze,
  describeObject,
  type KubeObject,
  kindOf,
  objectKey,
  objectKeyProblem,
} from '../core/objects.js';

/** Where admission reports an object it turns away. */
export type ReportRejected = (error: KubeRxError) => void;

/**
 * An object the cache turned away (a kind of {@link InvalidObjectError}): it was skipped and
 * nothing else changed.
 */
export class UncacheableObjectError extends InvalidObjectError {
  override readonly name: string = 'UncacheableObjectError';
  /** The resource it came from (`pods.v1`), when the cache knows it. */
  readonly resource: string | undefined;
  /**
   * The object's cache key when it has one (an object that nests too deep); otherwise undefined,
   * and the message names its namespace and name as they were sent.
   */
  readonly key: string | undefined;
  /** What is wrong, e.g. `metadata.name contains "/"`. */
  readonly problem: string;
  constructor(
    object: unknown,
    details: { resource: string | undefined; key: string | undefined; problem: string; cause?: unknown },
  ) {
    const what = details.key ?? describeObject(object);
    const where = details.resource === undefined ? what : `${details.resource} ${what}`;
    super(`${where}: ${details.problem}; skipped`, object);
    if (details.cause !== undefined) this.cause = details.cause;
    this.resource = details.resource;
    this.key = details.key;
    this.problem = details.problem;
  }
}

/** Why an object with a key still cannot be cached (besides its depth), or undefined. */
function metadataProblem(object: KubeObject): string | undefined {
  const rv: unknown = object.metadata?.resourceVersion;
  if (rv === undefined || typeof rv === 'string') return undefined;
  return `metadata.resourceVersion is ${kindOf(rv)}, not a string`;
}

/**
 * The cache key of `raw`, or undefined after reporting why it has none (or why it cannot be
 * cached under it). Costs two type checks and a `/` search for a valid object.
 */
export function admissionKey(raw: unknown, report: ReportRejected, resource?: string): string | undefined {
  // A cell carries its key: it was only made for an object the cache admits.
  if (raw instanceof EncodedObject) return raw.key;
  const key = raw !== null && typeof raw === 'object' ? objectKey(raw as KubeObject) : undefined;
  const problem = key === undefined ? objectKeyProblem(raw) : metadataProblem(raw as KubeObject);
  if (problem === undefined) return key;
  report(new UncacheableObjectError(raw, { resource, key: undefined, problem }));
  return undefined;
}

/**
 * `raw` deep-frozen for the cache under `key`, or undefined after reporting that it nests deeper
 * than `MAX_OBJECT_DEPTH` levels (parts of it may be frozen, never `raw` itself).
 */
export function admittedObject<T>(
  raw: T | DeepReadonly<T>,
  key: string,
  report: ReportRejected,
  resource?: string,
): DeepReadonly<T> | undefined {
  try {
    return deepFreeze<T>(raw);
  } catch (error) {
    if (!(error instanceof InvalidObjectError)) throw error;
    report(new UncacheableObjectError(raw, { resource, key, problem: error.message, cause: error }));
    return undefined;
  }
}
