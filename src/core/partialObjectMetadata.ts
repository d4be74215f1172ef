/**
 * Metadata-only objects: what the API server sends when a client asks for `PartialObjectMetadata`
 * by content negotiation, as client-go's metadata client (`k8s.io/client-go/metadata`) and its
 * `metadatainformer` do. Every object keeps its full `metadata` (labels, annotations, owner
 * references, finalizers, resourceVersion) and loses everything else (spec, status, data), so a
 * cache that only needs names, labels or owners holds a fraction of the bytes.
 *
 * Layer `core`: vocabulary only. May import: nothing.
 */
import type { KubeObjectMeta } from './objects.js';

/** The group version of the metadata-only kinds (`meta.k8s.io/v1`). */
export const METADATA_API_VERSION = 'meta.k8s.io/v1';

/**
 * `Accept` of a metadata-only list: the server answers with a `PartialObjectMetadataList`
 * (client-go's `metadata` client sends the same parameters).
 */
export const METADATA_LIST_ACCEPT = 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1';

/**
 * `Accept` of a metadata-only get or watch: a `PartialObjectMetadata` object, and on a watch every
 * event's object is one (bookmarks included).
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
