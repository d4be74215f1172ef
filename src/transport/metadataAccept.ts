/**
 * The `Accept` header of a list or watch: plain JSON, or, when the options ask for metadata only,
 * the `PartialObjectMetadata` media types client-go's metadata client sends. The server then strips
 * every object to its metadata before it is encoded, so the bytes never cross the wire. Plain JSON
 * comes last, as in client-go: a server that cannot encode `PartialObjectMetadata` (an aggregated
 * API server not built on k8s.io/apiserver) answers with whole objects instead of 406 Not
 * Acceptable, and the Reflector strips them itself (sources/metadataOnlyObjects.ts).
 */
import type { ListOptions, WatchOptions } from '../core/client.js';
import { METADATA_LIST_ACCEPT, METADATA_OBJECT_ACCEPT } from '../core/partialObjectMetadata.js';

/** `Accept` of a list: a `PartialObjectMetadataList` when `asMetadata`, else the default. */
export function listAccept(options: Pick<ListOptions, 'asMetadata'>): string | undefined {
  return options.asMetadata ? `${METADATA_LIST_ACCEPT},application/json` : undefined;
}

/** `Accept` of a watch: every event's object a `PartialObjectMetadata` when `asMetadata`. */
export function watchAccept(options: Pick<WatchOptions, 'asMetadata'>): string | undefined {
  return options.asMetadata ? `${METADATA_OBJECT_ACCEPT},application/json` : undefined;
}
