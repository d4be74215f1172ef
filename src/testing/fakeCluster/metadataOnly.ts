/**
 * The fake cluster's side of metadata-only requests: what the API server does for an `Accept` of
 * `as=PartialObjectMetadata` / `as=PartialObjectMetadataList` (`meta.k8s.io/v1`). Each object keeps
 * its full `metadata` and becomes a `PartialObjectMetadata`; a list becomes a
 * `PartialObjectMetadataList`; watch events keep their type (a bookmark stays a bookmark, carrying
 * a `PartialObjectMetadata` with its resourceVersion) and an `ERROR` keeps its `Status`.
 */
import type { ListResult, RawWatchEvent } from '../../core/client.js';
import {
  METADATA_API_VERSION,
  type PartialObjectMetadata,
  type PartialObjectMetadataList,
  partialObjectMetadataOf,
} from '../../core/partialObjectMetadata.js';

/** A list answer with every item reduced to its metadata. */
export function metadataList(list: ListResult): ListResult<PartialObjectMetadata> {
  return { ...list, items: list.items.map(partialObjectMetadataOf) };
}

/** The body of a metadata-only list over HTTP: a `PartialObjectMetadataList`. */
export function metadataListBody(list: ListResult): PartialObjectMetadataList {
  return { apiVersion: METADATA_API_VERSION, kind: 'PartialObjectMetadataList', ...metadataList(list) };
}

/** A watch event whose object is reduced to its metadata; `ERROR` events (a Status) untouched. */
export function metadataWatchEvent(event: RawWatchEvent): RawWatchEvent {
  return event.type === 'ERROR' ? event : { type: event.type, object: partialObjectMetadataOf(event.object) };
}

/** Whether an HTTP `Accept` header asks for metadata only (`as=PartialObjectMetadata[List]`). */
export function acceptsMetadata(accept: string | undefined): boolean {
  return /(^|[;,\s])as=PartialObjectMetadata(List)?(;|,|\s|$)/.test(accept ?? '');
}
