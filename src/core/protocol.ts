/**
 * Constants of the Kubernetes API protocol that more than one layer speaks: the client writes them,
 * the reflector reads them, and the fake cluster serves them. One table each, so the two ends of a
 * conversation cannot drift apart.
 */
import type { PatchType } from './client.js';

/** The bookmark annotation that ends the initial events of a streaming list. */
export const INITIAL_EVENTS_END_ANNOTATION = 'k8s.io/initial-events-end';

/**
 * Content types of the four patch strategies the API server accepts.
 *
 * @example
 * ```ts
 * PATCH_CONTENT_TYPES.merge; // 'application/merge-patch+json'
 * ```
 */
export const PATCH_CONTENT_TYPES: Readonly<Record<PatchType, string>> = {
  json: 'application/json-patch+json',
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  // Server-side apply takes YAML; JSON is valid YAML.
  apply: 'application/apply-patch+yaml',
};

/** The patch strategy a request's `content-type` names (parameters such as `charset` ignored), if any. */
export function patchTypeOf(contentType: string | undefined): PatchType | undefined {
  const mediaType = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  return (Object.keys(PATCH_CONTENT_TYPES) as PatchType[]).find((t) => PATCH_CONTENT_TYPES[t] === mediaType);
}
