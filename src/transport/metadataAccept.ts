/**
 * The `Accept` header of a list or watch: plain JSON, or, when the options ask for metadata only,
 * the `PartialObjectMetadata` media types client-go's metadata client sends. The server then strips
 * every object to its metadata before it is encoded, so the bytes never cross the wire.
 */
import type { ListOptions, WatchOptions } from '../core/client.js';
import { METADATA_LIST_ACCEPT, METADATA_OBJECT_ACCEPT } from '../core/partialObjectMetadata.js';

/** `Accept` of a list: a `PartialObjectMetadataList` when `asMetadata`, else the default. */
export function listAccept(options: Pick<ListOptions, 'asMetadata'>): string | undefined {
  return options.asMetadata ? METADATA_LIST_ACCEPT : undefined;
}

/** `Accept` of a watch: every event's object a `PartialObjectMetadata` when `asMetadata`. */
export function watchAccept(options: Pick<WatchOptions, 'asMetadata'>): string | undefined {
  return options.asMetadata ? METADATA_OBJECT_ACCEPT : undefined;
}
