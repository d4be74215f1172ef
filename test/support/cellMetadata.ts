import type { EncodedObject } from '../../src/core/encodedObject.js';

/** The six fields a cell's metadata view answers, read through it (getters included). */
export function cellMetadata(cell: EncodedObject): Record<string, unknown> {
  const { name, namespace, resourceVersion, uid, labels, ownerReferences } = cell.metadata;
  return { name, namespace, resourceVersion, uid, labels, ownerReferences };
}
