/**
 * Building events.k8s.io/v1 Event objects the way client-go's `tools/events` recorder does: the
 * regarding and related objects as ObjectReferences, the time as a MicroTime, the name
 * `<regarding name>.<hex nanoseconds>`, the namespace of the regarding object (`default` for
 * cluster-scoped ones), and the note cut to the API server's 1 kB limit.
 */
import type { DeepReadonly, KubeObject } from '../../core/objects.js';
import { apiVersionOf, type ResourceType } from '../../core/resources.js';

/** `v1.ObjectReference`, as Events name the objects they are about. */
export interface EventObjectReference {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  readonly namespace?: string;
  readonly uid?: string;
  readonly resourceVersion?: string;
}

/** The reference to `object`, or undefined when it lacks a name or (without `resource`) its kind. */
export function referenceTo(
  object: KubeObject | DeepReadonly<KubeObject>,
  resource?: ResourceType<KubeObject>,
): EventObjectReference | undefined {
  const apiVersion = object.apiVersion ?? (resource && apiVersionOf(resource));
  const kind = object.kind ?? resource?.kind;
  const name = object.metadata?.name;
  if (!apiVersion || !kind || !name) return undefined;
  const meta = object.metadata;
  return {
    apiVersion,
    kind,
    name,
    ...(meta?.namespace ? { namespace: meta.namespace } : {}),
    ...(meta?.uid ? { uid: meta.uid } : {}),
    ...(meta?.resourceVersion ? { resourceVersion: meta.resourceVersion } : {}),
  };
}

/** A `metav1.MicroTime`: RFC 3339 with six fractional digits. */
export function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

const NOTE_LIMIT = 1024;

/** The note cut to 1 kB (the API server rejects longer ones), on a character boundary. */
export function limitNote(note: string): string {
  if (Buffer.byteLength(note) <= NOTE_LIMIT) return note;
  let cut = note.slice(0, NOTE_LIMIT);
  while (Buffer.byteLength(cut) > NOTE_LIMIT) cut = cut.slice(0, -1);
  return cut;
}
