/**
 * Metadata-only objects: what the API server sends when a client asks for `PartialObjectMetadata`
 * by content negotiation, as client-go's metadata client (`k8s.io/client-go/metadata`) and its
 * `metadatainformer` do. Every object keeps its full `metadata` (labels, annotations, owner
 * references, finalizers, resourceVersion) and loses everything else (spec, status, data), so a
 * cache that only needs names, labels or owners holds a fraction of the bytes.
 *
 * Layer `core`: vocabulary, with the check and the stripping the fake cluster and the Reflector
 * share. May import: nothing outside `core`.
 */
import type { KubeObjectMeta } from './objects.js';

/** The group version of the metadata-only kinds (`meta.k8s.io/v1`). */
export const METADATA_API_VERSION = 'meta.k8s.io/v1';

/**
 * The media type a metadata-only list asks for: the server answers with a
 * `PartialObjectMetadataList` (client-go's `metadata` client sends the same parameters). kube-rx's
 * `Accept` adds plain `application/json` after it, as client-go's does, for a server that cannot.
 */
export const METADATA_LIST_ACCEPT = 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1';

/**
 * The media type a metadata-only get or watch asks for: a `PartialObjectMetadata` object, and on a
 * watch every event's object is one (bookmarks included). kube-rx's `Accept` adds plain
 * `application/json` after it, as for lists.
 */
export const METADATA_OBJECT_ACCEPT = 'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1';

/**
 * One object reduced to its metadata (`meta.k8s.io/v1` `PartialObjectMetadata`). The kind and
 * apiVersion are those of the wrapper, not of the object: the resource says what it was.
 *
 * @example
 * ```ts
 * const pod: PartialObjectMetadata = {
 *   apiVersion: 'meta.k8s.io/v1',
 *   kind: 'PartialObjectMetadata',
 *   metadata: { name: 'web-0', namespace: 'default', labels: { app: 'web' } },
 * };
 * ```
 */
export interface PartialObjectMetadata {
  apiVersion: typeof METADATA_API_VERSION;
  kind: 'PartialObjectMetadata';
  metadata: KubeObjectMeta;
}

/** A metadata-only list (`meta.k8s.io/v1` `PartialObjectMetadataList`). */
export interface PartialObjectMetadataList {
  apiVersion: typeof METADATA_API_VERSION;
  kind: 'PartialObjectMetadataList';
  metadata: { resourceVersion?: string; continue?: string; remainingItemCount?: number };
  items: PartialObjectMetadata[];
}

/**
 * True when `value` is a `PartialObjectMetadata` (`meta.k8s.io/v1`, as its apiVersion and kind
 * say), not a whole object.
 */
export function isPartialObjectMetadata(value: unknown): value is PartialObjectMetadata {
  if (value === null || typeof value !== 'object') return false;
  const typed = value as { apiVersion?: unknown; kind?: unknown };
  return typed.kind === 'PartialObjectMetadata' && typed.apiVersion === METADATA_API_VERSION;
}

/**
 * `object` reduced to its metadata, as the API server's metadata-only encoding does (its full
 * `metadata`, nothing else).
 *
 * @example
 * ```ts
 * partialObjectMetadataOf({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'a' }, spec: {} });
 * // { apiVersion: 'meta.k8s.io/v1', kind: 'PartialObjectMetadata', metadata: { name: 'a' } }
 * ```
 */
export function partialObjectMetadataOf(object: unknown): PartialObjectMetadata {
  const metadata = (object as { metadata?: KubeObjectMeta } | null)?.metadata ?? {};
  return { apiVersion: METADATA_API_VERSION, kind: 'PartialObjectMetadata', metadata };
}
