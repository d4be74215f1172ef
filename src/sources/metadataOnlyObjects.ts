/**
 * What a metadata-only Reflector caches, whatever the server sent: a `PartialObjectMetadata`.
 *
 * A metadata-only list or watch asks for `PartialObjectMetadata` with plain JSON as the last
 * choice (transport/metadataAccept.ts, as client-go's metadata client does). A server that cannot
 * encode it (an aggregated API server not built on k8s.io/apiserver, a proxy that drops the media
 * type's parameters) answers with whole objects; each is stripped here to its `metadata`, so an
 * `Informer<PartialObjectMetadata>` never holds a spec, a status or a Secret's data, only the
 * bytes on the wire are not saved. One that did encode it (every object the API server sends for
 * such a request) passes as it is: a cell is told by the first fields of its text, without
 * decoding it, and only a cell whose text starts otherwise is read from a parse.
 */
import { EncodedObject } from '../core/encodedObject.js';
import {
  isPartialObjectMetadata,
  METADATA_API_VERSION,
  type PartialObjectMetadata,
  partialObjectMetadataOf,
} from '../core/partialObjectMetadata.js';

/** How servers begin a `PartialObjectMetadata`: Go's order (the API server), then the other. */
const PARTIAL_PREFIXES = [
  `{"kind":"PartialObjectMetadata","apiVersion":"${METADATA_API_VERSION}",`,
  `{"apiVersion":"${METADATA_API_VERSION}","kind":"PartialObjectMetadata",`,
];

/**
 * `object` as a metadata-only cache holds it: itself when it is a `PartialObjectMetadata` (a
 * cell stays a cell), else a new `PartialObjectMetadata` with its metadata.
 *
 * @example
 * ```ts
 * metadataOnlyObject({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'a' }, spec: {} });
 * // { apiVersion: 'meta.k8s.io/v1', kind: 'PartialObjectMetadata', metadata: { name: 'a' } }
 * ```
 */
export function metadataOnlyObject(object: unknown): PartialObjectMetadata | EncodedObject {
  if (object instanceof EncodedObject) {
    for (const prefix of PARTIAL_PREFIXES) if (object.textStartsWith(prefix)) return object;
    // Decoded already, or written another way: the decoded object, the draft or a dropped parse.
    const value = object.indexInput();
    return isPartialObjectMetadata(value) ? object : partialObjectMetadataOf(value);
  }
  return isPartialObjectMetadata(object) ? object : partialObjectMetadataOf(object);
}
